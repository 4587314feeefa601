package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A client flooding denied publishes costs a counter, not a log line per message: each publish still
 * gets its PUBACK 0x87, the connection handler's log holds the first few denials only, and the count
 * appears in one summary line once the interval has passed (moved by a {@link ManualClock}).
 */
class DeniedPublishFloodTest {
    private static final String HANDLER_LOGGER = "dev.gatehouse.broker.protocol.MqttConnection";
    /** {@code BrokerCore.DENIALS_LOGGED_PER_MINUTE}. */
    private static final int BURST = 5;
    private static final int FLOOD = 2_000;
    private static final Pattern SUMMARY = Pattern.compile("denied PUBLISH by flooder \\(flooder publish\\): (\\d+) more in the last \\d+ s");

    private final ManualClock clock = new ManualClock();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger handlerLog = (Logger) LoggerFactory.getLogger(HANDLER_LOGGER);
    private TestBroker broker;

    @BeforeEach
    void start() {
        appender.start();
        handlerLog.addAppender(appender);
        Permissions noSecrets = Permissions.builder().deny(Action.PUBLISH, "secret/#").defaultEffect(Effect.ALLOW).build();
        broker = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(noSecrets), b -> b.clock(clock));
    }

    @AfterEach
    void stop() {
        broker.close();
        handlerLog.detachAppender(appender);
        appender.stop();
    }

    private List<String> denialLines() {
        return List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.startsWith("denied PUBLISH by flooder to secret/")).toList();
    }

    private List<String> summaryLines() {
        return List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> SUMMARY.matcher(l).matches()).toList();
    }

    @Test
    void aFloodOfDeniedPublishesIsAnsweredInFullButLoggedAsABurstAndOneSummary() throws Exception {
        Mqtt5AsyncClient flooder = MqttClient.builder().useMqttVersion5().identifier("flooder")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
        flooder.connect().get(10, TimeUnit.SECONDS);

        List<CompletableFuture<Mqtt5PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            results.add(flooder.publishWith().topic("secret/" + (i % 10)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[] {(byte) i}).send());
        }
        for (int i = 0; i < FLOOD; i++) {
            assertThat(pubAckCode(results.get(i))).as("PUBACK of publish %d", i).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        }
        // Allowed topics still work on the same connection.
        assertThat(pubAckCode(flooder.publishWith().topic("public/x").qos(MqttQos.AT_LEAST_ONCE).send()))
                .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);

        // Every PUBACK is in, so every denial has been decided and logged or counted: the burst only.
        assertThat(denialLines()).hasSize(BURST);
        assertThat(summaryLines()).isEmpty();

        // A minute later (by the broker's clock) one more denial: the summary with the count appears, written
        // by that denial or by the broker's once-a-second sweep, whichever comes first.
        clock.advance(Duration.ofSeconds(61));
        assertThat(pubAckCode(flooder.publishWith().topic("secret/last").qos(MqttQos.AT_LEAST_ONCE).send()))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        FlowTestSupport.await("the denial summary", () -> !summaryLines().isEmpty());

        List<String> summaries = summaryLines();
        assertThat(summaries).hasSize(1);
        Matcher m = SUMMARY.matcher(summaries.get(0));
        assertThat(m.matches()).isTrue();
        long summarized = Long.parseLong(m.group(1));
        // Every one of the 2 001 denials is accounted for, as a line or in the count; the lines are bounded:
        // the burst, plus the last denial if the sweep's summary came first and began a new interval.
        List<String> lines = denialLines();
        assertThat(lines.size()).isBetween(BURST, BURST + 1);
        assertThat(summarized + lines.size()).isEqualTo(FLOOD + 1);
        flooder.disconnect().get(10, TimeUnit.SECONDS);
    }

    private static Mqtt5PubAckReasonCode pubAckCode(CompletableFuture<Mqtt5PublishResult> f) throws Exception {
        try {
            Mqtt5PublishResult r = f.get(30, TimeUnit.SECONDS);
            if (r.getError().isPresent() && r.getError().get() instanceof Mqtt5PubAckException e) {
                return e.getMqttMessage().getReasonCode();
            }
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException pe) {
                return pe.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }
}
