package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml: stderr through a bounded queue that never blocks the logging (I/O) thread. */
class LogbackConfigTest {
    private final LoggerContext context = new LoggerContext();

    {
        // what SLF4J's Logback provider sets on the context it creates; asynchronous events copy the MDC
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private void load() throws Exception {
        URL shipped = Main.class.getResource("/logback.xml");
        assertThat(shipped).as("logback.xml on the class path").isNotNull();
        assertThat(shipped.getPath()).as("the main resource, not a test copy").doesNotContain("test-classes");
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(shipped);
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    private AsyncAppender rootAppender() {
        List<Appender<ILoggingEvent>> all = new ArrayList<>();
        Iterator<Appender<ILoggingEvent>> it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        it.forEachRemaining(all::add);
        assertThat(all).as("the root logger's only appender is asynchronous").hasSize(1)
                .allMatch(a -> a instanceof AsyncAppender);
        return (AsyncAppender) all.get(0);
    }

    @Test
    void theRootLoggerWritesToStderrThroughABoundedQueueThatNeverBlocks() throws Exception {
        load();
        AsyncAppender async = rootAppender();
        assertThat(async.isStarted()).isTrue();
        assertThat(async.isNeverBlock()).isTrue();
        assertThat(async.getQueueSize()).isBetween(1, 65_536);
        assertThat(async.getDiscardingThreshold()).as("room kept for WARN and ERROR")
                .isPositive().isLessThan(async.getQueueSize());
        assertThat(async.isIncludeCallerData()).isFalse();
        assertThat(async.getMaxFlushTime()).isPositive();
        Appender<ILoggingEvent> sink = async.getAppender("STDERR");
        assertThat(sink).isInstanceOf(ConsoleAppender.class);
        assertThat(((ConsoleAppender<ILoggingEvent>) sink).getTarget()).isEqualTo("System.err");
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theLevelComesFromGatehouseLogLevelAndDefaultsToInfo() throws Exception {
        Assumptions.assumeTrue(System.getenv("GATEHOUSE_LOG_LEVEL") == null, "GATEHOUSE_LOG_LEVEL is set here");
        load();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);

        context.reset();
        // the variable is looked up in context properties before the environment
        context.putProperty("GATEHOUSE_LOG_LEVEL", "DEBUG");
        load();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
    }

    /** Stands for a stderr nobody reads (a full pipe): the first write hangs until released. */
    static final class StuckStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.write(b, off, len);
            }
        }

        long lines(String level) {
            synchronized (written) {
                return written.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" " + level + " ")).count();
            }
        }
    }

    @Test
    void withStderrStuckLoggingGoesOnDroppingInfoFirstThenEverything() throws Exception {
        load();
        AsyncAppender async = rootAppender();
        StuckStream stderr = new StuckStream();
        ((ConsoleAppender<ILoggingEvent>) async.getAppender("STDERR")).setOutputStream(stderr);
        org.slf4j.Logger log = context.getLogger("test");

        log.info("first"); // taken by the background thread, which then hangs writing it
        assertThat(stderr.entered.await(30, TimeUnit.SECONDS)).isTrue();
        int queue = async.getQueueSize();
        // If logging blocked, this thread would hang here for good (and the test with it).
        for (int i = 0; i < queue; i++) {
            log.info("info {}", i);
        }
        assertThat(async.getRemainingCapacity()).as("INFO stops short of the threshold")
                .isGreaterThanOrEqualTo(async.getDiscardingThreshold() - 1);
        for (int i = 0; i < queue; i++) {
            log.warn("warn {}", i);
        }
        assertThat(async.getRemainingCapacity()).as("WARN fills the rest; beyond it events are dropped").isZero();

        stderr.release.countDown();
        context.stop(); // drains the queue, as the app does when it stops
        long info = stderr.lines("INFO");
        long warn = stderr.lines("WARN");
        assertThat(info).as("INFO written").isPositive().isLessThan(queue);
        assertThat(warn).as("WARN written after INFO was being dropped").isPositive().isLessThan(queue);
        assertThat(info + warn).isLessThanOrEqualTo(queue + 1);
    }
}
