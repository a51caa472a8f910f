package io.chainpulse.schema.serde;

/**
 * The Confluent wire format every Confluent-compatible serializer writes: one magic byte {@code 0}, the schema's
 * registry id as a 4-byte big-endian int, then the Avro binary encoding of the record.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {}

    /** Writes the 5-byte header into {@code target[0..4]}; the Avro body follows it. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** Reads the schema id of {@code data}, or explains in one sentence why it is not Confluent-framed. */
    static int readSchemaId(byte[] data, String topic) {
        if (data.length < HEADER_SIZE) {
            throw new org.apache.kafka.common.errors.SerializationException("record of topic '" + topic + "' is "
                    + data.length + " bytes, shorter than the 5-byte Confluent header (magic byte + schema id)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new org.apache.kafka.common.errors.SerializationException("record of topic '" + topic
                    + "' starts with byte " + data[0] + ", not the Confluent magic byte 0: it was not written by "
                    + "a schema-registry serializer");
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
