# The render job's image: Flink 2.2 on Java 17, the shaded job jar, the shipped model, and Flink's
# S3 filesystem plugin (checkpoints and HA metadata go to S3). Build from the repository root after
# `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/render-job.Dockerfile -t registry.example.com/kiln/render-job:0.1.0 .
# For GPU TaskManagers build with `mvn -B package -DskipTests -Pgpu` (ONNX Runtime's CUDA build) and
# run on nodes with the NVIDIA container runtime.
FROM flink:2.2.1-java17
RUN mkdir -p /opt/flink/plugins/s3-fs-presto \
 && cp /opt/flink/opt/flink-s3-fs-presto-2.2.1.jar /opt/flink/plugins/s3-fs-presto/
COPY render-job/target/kiln-render-job.jar /opt/flink/usrlib/kiln-render-job.jar
COPY models/kiln-tiny /opt/kiln/models/kiln-tiny
