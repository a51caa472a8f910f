package io.chainpulse.schema;

/**
 * The one rule for chains: an event's {@code chain_id} names its chain; events without one (null or empty) belong to
 * the chain {@value #DEFAULT}, and so do events that name it. "Network" KPIs and anomalies are always one chain's.
 * The default chain is the single-chain pipeline as it was before chains: its KPI windows and anomalies carry no
 * {@code chain_id}, and every key, document id and series of it is spelled as before; another chain's are the same
 * with the chain added ({@link #scoped}).
 *
 * <pre>{@code
 * Chains.name(null)                 // "default"
 * Chains.idOf("default")            // null: what a KpiWindow of the default chain carries
 * Chains.scoped("B", "v1")          // "B/v1"
 * Chains.scoped(null, "v1")         // "v1"
 * Chains.chainOf("B/v1")            // "B"        Chains.keyOf("B/v1")  // "v1"
 * }</pre>
 */
public final class Chains {
    /** The chain of events without {@code chain_id}. */
    public static final String DEFAULT = "default";
    /**
     * Between the chain and a key in a chain-scoped key. Never in a node id ({@link NodeIds}) nor in {@code network},
     * so a scoped node or network key splits at its last separator, whatever the chain id holds.
     */
    public static final char SEPARATOR = '/';

    private Chains() {}

    /** The chain's name: {@value #DEFAULT} for null or empty. */
    public static String name(String chainId) {
        return chainId == null || chainId.isEmpty() ? DEFAULT : chainId;
    }

    /** true for the default chain (null, empty or {@value #DEFAULT}). */
    public static boolean isDefault(String chainId) {
        return chainId == null || chainId.isEmpty() || DEFAULT.equals(chainId);
    }

    /** The {@code chain_id} a KPI window or anomaly of the chain carries: null for the default chain. */
    public static String idOf(String chainId) {
        return isDefault(chainId) ? null : chainId;
    }

    /** {@code key} within the chain: {@code key} itself on the default chain, else {@code chain/key}. */
    public static String scoped(String chainId, String key) {
        return isDefault(chainId) ? key : chainId + SEPARATOR + key;
    }

    /**
     * The chain of a key {@link #scoped} made from a key without {@link #SEPARATOR} (a node id, {@code network}):
     * null for the default chain.
     */
    public static String chainOf(String scopedKey) {
        int at = scopedKey.lastIndexOf(SEPARATOR);
        return at < 0 ? null : scopedKey.substring(0, at);
    }

    /** The key within its chain of a key {@link #scoped} made from a key without {@link #SEPARATOR}. */
    public static String keyOf(String scopedKey) {
        int at = scopedKey.lastIndexOf(SEPARATOR);
        return at < 0 ? scopedKey : scopedKey.substring(at + 1);
    }

    /** The same key in another place of the same chain: {@code rekey("B/v1", "network")} is {@code B/network}. */
    public static String rekey(String scopedKey, String key) {
        int at = scopedKey.lastIndexOf(SEPARATOR);
        return at < 0 ? key : scopedKey.substring(0, at + 1) + key;
    }
}
