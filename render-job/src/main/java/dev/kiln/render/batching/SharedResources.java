package dev.kiln.render.batching;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference-counted, JVM-wide instances by key. Every task slot of a TaskManager acquires the
 * same instance (one model per model and device, whatever the slot count), and the last slot
 * to release it closes it, so a long-lived TaskManager does not leak native memory.
 */
public final class SharedResources {
  private static final Logger LOG = LoggerFactory.getLogger(SharedResources.class);
  private static final Map<Object, Entry> ENTRIES = new HashMap<>();

  /** A shared instance; closing it must not throw checked exceptions. */
  public interface Resource extends AutoCloseable {
    @Override
    void close();
  }

  private static final class Entry {
    final Resource value;
    int references;

    Entry(Resource value) {
      this.value = value;
    }
  }

  private SharedResources() {}

  /** Returns the instance for {@code key}, creating it on first use; pair every call with {@link #release}. */
  @SuppressWarnings("unchecked")
  public static synchronized <T extends Resource> T acquire(Object key, Supplier<T> factory) {
    Entry entry = ENTRIES.get(key);
    if (entry == null) {
      entry = new Entry(factory.get());
      ENTRIES.put(key, entry);
      LOG.info("created shared {} for {}", entry.value.getClass().getSimpleName(), key);
    }
    entry.references++;
    return (T) entry.value;
  }

  /** Drops one reference; closes the instance when none is left. */
  public static void release(Object key) {
    Resource toClose = null;
    synchronized (SharedResources.class) {
      Entry entry = ENTRIES.get(key);
      if (entry == null) {
        return;
      }
      if (--entry.references == 0) {
        ENTRIES.remove(key);
        toClose = entry.value;
      }
    }
    if (toClose != null) {
      LOG.info("closing shared {} for {}", toClose.getClass().getSimpleName(), key);
      toClose.close();
    }
  }

  /** References currently held for {@code key}; 0 when none. */
  public static synchronized int references(Object key) {
    Entry entry = ENTRIES.get(key);
    return entry == null ? 0 : entry.references;
  }
}
