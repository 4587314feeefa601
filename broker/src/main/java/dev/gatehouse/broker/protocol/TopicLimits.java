package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.Limits;
import java.nio.charset.StandardCharsets;

/** The configured bounds on topic names and filters: UTF-8 length and number of levels. */
final class TopicLimits {
    private final int maxLength;
    private final int maxLevels;

    TopicLimits(Limits limits) {
        this.maxLength = limits.maxTopicLength();
        this.maxLevels = limits.maxTopicLevels();
    }

    boolean allows(String topicOrFilter) {
        int levels = 1;
        for (int i = 0; i < topicOrFilter.length(); i++) {
            if (topicOrFilter.charAt(i) == '/' && ++levels > maxLevels) {
                return false;
            }
        }
        int n = topicOrFilter.length();
        // Encoding is only needed when the characters might take more bytes than the limit allows.
        return n <= maxLength && (n * 3 <= maxLength
                || topicOrFilter.getBytes(StandardCharsets.UTF_8).length <= maxLength);
    }
}
