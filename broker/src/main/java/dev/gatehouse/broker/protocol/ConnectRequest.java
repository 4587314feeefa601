package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.broker.session.Will;
import java.util.List;
import java.util.Optional;

/**
 * What a valid CONNECT asks for, with the broker's limits already applied (session expiry capped,
 * keep-alive adjusted, client id assigned).
 *
 * @param requestedSessionExpiry what the client asked for, to tell it in CONNACK when the grant differs
 * @param keepAliveOverridden    whether the keep-alive differs from the client's and must be sent as Server Keep Alive
 * @param clientTopicAliasMaximum how many topic aliases the client accepts from the broker (MQTT 5; 0: none)
 */
record ConnectRequest(MqttVersion version, String clientId, boolean assignedId, Optional<String> username,
                      Optional<byte[]> password, boolean cleanStart, long sessionExpiry, long requestedSessionExpiry,
                      int keepAlive, boolean keepAliveOverridden, int clientReceiveMaximum, long clientMaxPacketSize,
                      int clientTopicAliasMaximum,
                      boolean problemInformation, Optional<String> authMethod, Optional<byte[]> authData,
                      List<UserProperty> userProperties, Optional<Will> will) {
}
