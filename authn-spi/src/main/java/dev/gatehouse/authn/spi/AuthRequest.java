package dev.gatehouse.authn.spi;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Everything the broker knows about a client when it asks an {@link Authenticator} to decide.
 *
 * <p>Byte arrays are handed over as received; an authenticator must not modify them. Absent
 * fields are empty {@link Optional}s, never {@code null}.
 *
 * @param clientId             the client identifier (assigned by the broker when the client sent an empty one)
 * @param username             the CONNECT user name, if present
 * @param password             the CONNECT password bytes, if present
 * @param protocolVersion      the MQTT version of the connection
 * @param authenticationMethod MQTT 5 authentication method, if present
 * @param authenticationData   MQTT 5 authentication data, if present
 * @param remoteAddress        the client's address as seen by the listener
 * @param listenerName         the name of the listener that accepted the connection
 * @param peerCertificates     the verified TLS client certificate chain, leaf first; empty without TLS client auth
 * @param userProperties       MQTT 5 user properties of the CONNECT (or AUTH) packet, in order
 * @param reauthentication     {@code true} when this request comes from an MQTT 5 AUTH 0x19 on a live connection
 * @param connectionType       TCP, TLS, WebSocket or secure WebSocket
 */
public record AuthRequest(
        String clientId,
        Optional<String> username,
        Optional<byte[]> password,
        MqttVersion protocolVersion,
        Optional<String> authenticationMethod,
        Optional<byte[]> authenticationData,
        InetSocketAddress remoteAddress,
        String listenerName,
        List<X509Certificate> peerCertificates,
        List<UserProperty> userProperties,
        boolean reauthentication,
        ConnectionType connectionType) {

    public AuthRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(authenticationMethod, "authenticationMethod");
        Objects.requireNonNull(authenticationData, "authenticationData");
        Objects.requireNonNull(listenerName, "listenerName");
        peerCertificates = List.copyOf(peerCertificates);
        userProperties = List.copyOf(userProperties);
        Objects.requireNonNull(connectionType, "connectionType");
    }

    /** A request over plain TCP (or TLS when peer certificates are present). */
    public AuthRequest(String clientId, Optional<String> username, Optional<byte[]> password,
                       MqttVersion protocolVersion, Optional<String> authenticationMethod,
                       Optional<byte[]> authenticationData, InetSocketAddress remoteAddress, String listenerName,
                       List<X509Certificate> peerCertificates, List<UserProperty> userProperties,
                       boolean reauthentication) {
        this(clientId, username, password, protocolVersion, authenticationMethod, authenticationData, remoteAddress,
                listenerName, peerCertificates, userProperties, reauthentication,
                peerCertificates.isEmpty() ? ConnectionType.TCP : ConnectionType.TLS);
    }

    /** The common name (CN) of the leaf client certificate, if TLS client authentication supplied one. */
    public Optional<String> peerCommonName() {
        if (peerCertificates.isEmpty()) {
            return Optional.empty();
        }
        String dn = peerCertificates.get(0).getSubjectX500Principal().getName();
        try {
            List<Rdn> rdns = new LdapName(dn).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
                    return Optional.of(rdns.get(i).getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A builder, convenient for tests and for brokers other than Gatehouse's own. */
    public static Builder builder(String clientId, MqttVersion version) {
        return new Builder(clientId, version);
    }

    /** Builds an {@link AuthRequest}; unset optional fields stay empty. */
    public static final class Builder {
        private final String clientId;
        private final MqttVersion version;
        private String username;
        private byte[] password;
        private String method;
        private byte[] data;
        private InetSocketAddress remote = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        private String listener = "default";
        private List<X509Certificate> certs = List.of();
        private List<UserProperty> props = List.of();
        private boolean reauth;
        private ConnectionType type = ConnectionType.TCP;

        private Builder(String clientId, MqttVersion version) {
            this.clientId = clientId;
            this.version = version;
        }

        public Builder username(String v) { this.username = v; return this; }
        public Builder password(byte[] v) { this.password = v; return this; }
        public Builder authenticationMethod(String v) { this.method = v; return this; }
        public Builder authenticationData(byte[] v) { this.data = v; return this; }
        public Builder remoteAddress(InetSocketAddress v) { this.remote = v; return this; }
        public Builder listenerName(String v) { this.listener = v; return this; }
        public Builder peerCertificates(List<X509Certificate> v) { this.certs = v; return this; }
        public Builder userProperties(List<UserProperty> v) { this.props = v; return this; }
        public Builder reauthentication(boolean v) { this.reauth = v; return this; }
        public Builder connectionType(ConnectionType v) { this.type = v; return this; }

        public AuthRequest build() {
            return new AuthRequest(clientId, Optional.ofNullable(username), Optional.ofNullable(password), version,
                    Optional.ofNullable(method), Optional.ofNullable(data), remote, listener, certs, props, reauth, type);
        }
    }
}
