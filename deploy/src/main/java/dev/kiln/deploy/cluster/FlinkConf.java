package dev.kiln.deploy.cluster;

import dev.kiln.deploy.local.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Flink configuration of {@code kiln up}'s session cluster, generated under
 * {@code {dataDir}/flink/conf}: everything on loopback, checkpoints retained under the data dir,
 * failures detected within seconds, restarts with a backoff that outlasts a storage or broker
 * outage.
 */
final class FlinkConf {
  private FlinkConf() {}

  static Map<String, String> settings(StackSpec spec, int restPort, int rpcPort) {
    Path data = spec.dataDir();
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", String.valueOf(rpcPort));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", String.valueOf(restPort));
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(spec.slotsPerTaskManager()));
    c.put("taskmanager.memory.process.size", "1728m");
    // Kiln's state lives on the heap backend here; managed memory would only be reserved, unused.
    c.put("taskmanager.memory.managed.size", "0m");
    c.put("parallelism.default", "1");
    c.put("state.backend.type", "hashmap");
    c.put("execution.checkpointing.dir", data.resolve("checkpoints/default").toUri().toString());
    c.put("execution.checkpointing.savepoint-dir", data.resolve("savepoints").toUri().toString());
    c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    c.put("execution.checkpointing.num-retained", "3");
    // A killed TaskManager is noticed in seconds rather than Flink's default 50.
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "12000");
    c.put("restart-strategy.type", "exponential-delay");
    c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
    c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
    c.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "1000");
    c.put("io.tmp.dirs", data.resolve("flink/tmp").toString());
    c.put("web.upload.dir", data.resolve("flink/upload").toString());
    c.put("blob.storage.directory", data.resolve("flink/blobs").toString());
    return c;
  }

  /** Writes {@code config.yaml} and {@code log4j.properties}; returns the conf directory. */
  static Path write(StackSpec spec, int restPort) throws IOException {
    Path conf = spec.flinkConfDir();
    Files.createDirectories(conf);
    for (String dir : new String[] {"flink/tmp", "flink/upload", "flink/blobs"}) {
      Files.createDirectories(spec.dataDir().resolve(dir));
    }
    StringBuilder yaml = new StringBuilder("# Written by kiln up; rewritten on every start.\n");
    settings(spec, restPort, Ports.freeLoopbackPort()).forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
    Files.writeString(conf.resolve("config.yaml"), yaml);
    Files.writeString(conf.resolve("log4j.properties"), """
        # Written by kiln up. One file per process, named by -Dlog.file.
        rootLogger.level = INFO
        rootLogger.appenderRef.file.ref = MainAppender
        appender.main.name = MainAppender
        appender.main.type = File
        appender.main.append = true
        appender.main.fileName = ${sys:log.file}
        appender.main.layout.type = PatternLayout
        appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
        logger.kafka.name = org.apache.kafka
        logger.kafka.level = WARN
        """);
    return conf;
  }

}
