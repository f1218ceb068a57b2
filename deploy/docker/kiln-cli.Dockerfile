# The kiln command (submit, schedule, watch, audit, serve, notify) for the CronJob and for
# operators. Build from the repository root after `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/kiln-cli.Dockerfile -t registry.example.com/kiln/kiln:0.1.0 .
FROM eclipse-temurin:17-jre
COPY deploy/target/kiln-cli/lib /opt/kiln/lib
COPY deploy/docker/kiln /usr/local/bin/kiln
USER 10001
ENTRYPOINT ["/usr/local/bin/kiln"]
