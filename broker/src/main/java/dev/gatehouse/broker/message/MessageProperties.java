package dev.gatehouse.broker.message;

import dev.gatehouse.authn.spi.UserProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT 5 PUBLISH properties the broker passes through from publisher to subscriber unchanged.
 * Message expiry is not here: it is an absolute instant on {@link Message}, recomputed per delivery.
 *
 * @param payloadFormatUtf8 whether the publisher set Payload Format Indicator 1 (UTF-8 text)
 * @param contentType       Content Type, if set
 * @param responseTopic     Response Topic, if set
 * @param correlationData   Correlation Data, if set
 * @param userProperties    User Properties, in order
 */
public record MessageProperties(boolean payloadFormatUtf8, Optional<String> contentType,
                                Optional<String> responseTopic, Optional<byte[]> correlationData,
                                List<UserProperty> userProperties) {
    /** No properties at all. */
    public static final MessageProperties NONE =
            new MessageProperties(false, Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    public MessageProperties {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(responseTopic, "responseTopic");
        Objects.requireNonNull(correlationData, "correlationData");
        userProperties = List.copyOf(userProperties);
    }

    /** Whether nothing is set, so encoding can skip the properties entirely. */
    public boolean isEmpty() {
        return !payloadFormatUtf8 && contentType.isEmpty() && responseTopic.isEmpty() && correlationData.isEmpty()
                && userProperties.isEmpty();
    }
}
