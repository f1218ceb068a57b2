# The safety job's image: Flink 2.2 on Java 17, the shaded job jar, the moderation model, and
# Flink's S3 filesystem plugin. Build from the repository root after `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/safety-job.Dockerfile -t registry.example.com/kiln/safety-job:0.1.0 .
FROM flink:2.2.1-java17
RUN mkdir -p /opt/flink/plugins/s3-fs-presto \
 && cp /opt/flink/opt/flink-s3-fs-presto-2.2.1.jar /opt/flink/plugins/s3-fs-presto/
COPY safety-job/target/kiln-safety-job.jar /opt/flink/usrlib/kiln-safety-job.jar
COPY models/nsfw-mobilenet-v2 /opt/kiln/models/nsfw-mobilenet-v2
