package dev.gatehouse.bench.harness;

/** The brokers the harness compares; Mosquitto is the reference every ratio is taken against. */
public enum BrokerKind {
    GATEHOUSE("Gatehouse", "gatehouse", true),
    MOSQUITTO("Mosquitto", "mosquitto", false),
    MOQUETTE("Moquette", "moquette", true),
    HIVEMQ("HiveMQ CE", "hivemq", true);

    private final String label;
    private final String id;
    private final boolean jvm;

    BrokerKind(String label, String id, boolean jvm) {
        this.label = label;
        this.id = id;
        this.jvm = jvm;
    }

    public String label() {
        return label;
    }

    public String id() {
        return id;
    }

    public boolean jvm() {
        return jvm;
    }

    public static BrokerKind byId(String id) {
        for (BrokerKind k : values()) {
            if (k.id.equalsIgnoreCase(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown broker " + id + " (gatehouse, mosquitto, moquette, hivemq)");
    }
}
