package dev.gatehouse.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.broker.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link ThrottledLog} with a hand-moved clock and a list appender: a burst of lines per key, then only a
 * count, then one summary line carrying the count; {@link ThrottledLog#flush()} writes due summaries and
 * forgets quiet keys; the number of keys is bounded.
 */
class ThrottledLogTest {
    private static final long MINUTE = 60_000;
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final ManualClock clock = new ManualClock();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void attach() {
        logger = (Logger) LoggerFactory.getLogger("test.throttled." + SEQ.incrementAndGet());
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // keep the flood off the console
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
        appender.stop();
    }

    private List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<String> summaries() {
        return lines().stream().filter(l -> l.contains(" more in the last ")).toList();
    }

    private static void deny(ThrottledLog t, String client, int n) {
        for (int i = 0; i < n; i++) {
            t.event(client, "denied PUBLISH by " + client, "denied PUBLISH by {} #{}", client, i);
        }
    }

    @Test
    void aBurstIsLoggedLineByLineThenOnlyCountedAndSummarizedWithItsCount() {
        ThrottledLog t = new ThrottledLog(logger, clock, MINUTE, 100, 3);
        deny(t, "alice", 1_000);
        assertThat(lines()).containsExactly("denied PUBLISH by alice #0", "denied PUBLISH by alice #1",
                "denied PUBLISH by alice #2");

        // Within the interval nothing more is written, however many come.
        clock.advance(Duration.ofSeconds(59));
        deny(t, "alice", 10);
        t.flush();
        assertThat(lines()).hasSize(3);

        // The first event after the interval writes the summary: everything counted, this one included.
        clock.advance(Duration.ofSeconds(2));
        deny(t, "alice", 1);
        assertThat(summaries()).containsExactly("denied PUBLISH by alice (alice): 1008 more in the last 61 s");
        assertThat(lines()).hasSize(4);

        // A new interval began: a fresh burst is logged again.
        deny(t, "alice", 4);
        assertThat(lines()).hasSize(7);
        assertThat(lines().subList(4, 7)).allMatch(l -> l.startsWith("denied PUBLISH by alice #"));
    }

    @Test
    void keysAreThrottledIndependently() {
        ThrottledLog t = new ThrottledLog(logger, clock, MINUTE, 100);
        deny(t, "alice", 50);
        deny(t, "bob", 50);
        assertThat(lines()).containsExactly("denied PUBLISH by alice #0", "denied PUBLISH by bob #0");
        clock.advance(Duration.ofMinutes(1));
        t.flush();
        assertThat(summaries()).containsExactlyInAnyOrder("denied PUBLISH by alice (alice): 49 more in the last 60 s",
                "denied PUBLISH by bob (bob): 49 more in the last 60 s");
    }

    @Test
    void flushWritesADueSummaryOnceAndForgetsKeysThatWentQuiet() {
        ThrottledLog t = new ThrottledLog(logger, clock, MINUTE, 100, 2);
        deny(t, "alice", 7);
        deny(t, "bob", 1);
        assertThat(t.trackedKeys()).isEqualTo(2);

        // Not due yet.
        clock.advance(Duration.ofSeconds(30));
        t.flush();
        assertThat(summaries()).isEmpty();

        // Due: alice's summary is written even though alice sent nothing since; bob (nothing counted) is forgotten.
        clock.advance(Duration.ofSeconds(31));
        t.flush();
        assertThat(summaries()).containsExactly("denied PUBLISH by alice (alice): 5 more in the last 61 s");
        assertThat(t.trackedKeys()).isEqualTo(1);

        // A second flush has nothing new to say.
        t.flush();
        assertThat(summaries()).hasSize(1);

        // A whole quiet interval later alice is forgotten too...
        clock.advance(Duration.ofMinutes(1));
        t.flush();
        assertThat(summaries()).hasSize(1);
        assertThat(t.trackedKeys()).isZero();

        // ...so both are logged as firsts again.
        int before = lines().size();
        deny(t, "alice", 1);
        deny(t, "bob", 1);
        assertThat(lines().subList(before, lines().size()))
                .containsExactly("denied PUBLISH by alice #0", "denied PUBLISH by bob #0");
    }

    @Test
    void keysBeyondTheBoundShareTheOverflowKeyAndTheMapNeverGrowsPastIt() {
        int maxKeys = 5;
        ThrottledLog t = new ThrottledLog(logger, clock, MINUTE, maxKeys);
        for (int i = 0; i < 1_000; i++) {
            deny(t, "client-" + i, 3);
            assertThat(t.trackedKeys()).as("after client %d", i).isLessThanOrEqualTo(maxKeys);
        }
        // The keys that fit are logged once each, the overflow key once for all the others.
        assertThat(lines()).hasSize(maxKeys);
        assertThat(t.trackedKeys()).isEqualTo(maxKeys);

        clock.advance(Duration.ofMinutes(1));
        t.flush();
        List<String> summaries = summaries();
        assertThat(summaries).anySatisfy(l -> assertThat(l).contains("(" + ThrottledLog.OVERFLOW_KEY + ")"));
        // Every event is accounted for: logged as a line or counted in a summary.
        long counted = summaries.stream()
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*: (\\d+) more in the last .*", "$1"))).sum();
        assertThat(counted + maxKeys).isEqualTo(3_000);

        // The same bound holds with a burst of several lines per key.
        ThrottledLog burst = new ThrottledLog(logger, clock, MINUTE, 3, 5);
        for (int i = 0; i < 100; i++) {
            deny(burst, "other-" + i, 1);
            assertThat(burst.trackedKeys()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aLoggerThatIsOffCostsNoLinesButStillCounts() {
        ThrottledLog t = new ThrottledLog(logger, clock, MINUTE, 10, 5);
        logger.setLevel(Level.WARN);
        deny(t, "quiet", 100);
        clock.advance(Duration.ofMinutes(2));
        t.flush();
        assertThat(lines()).isEmpty();
        assertThat(t.trackedKeys()).isEqualTo(1);
    }
}
