package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * Raw layout of libsecret's {@code SecretSchema}: a name, flags, 32 attribute slots (unused ones
 * all NULL), and reserved fields that must be zero.
 */
@Structure.FieldOrder({"name", "flags", "attributes", "reserved", "reserved1", "reserved2", "reserved3",
    "reserved4", "reserved5", "reserved6", "reserved7"})
public class SecretSchema extends Structure {
    /** {@code SECRET_SCHEMA_ATTRIBUTE_STRING}. */
    static final int ATTRIBUTE_STRING = 0;
    /** {@code SECRET_SCHEMA_NONE}: the schema name is stored and matched as the {@code xdg:schema} attribute. */
    static final int FLAGS_NONE = 0;

    public String name;
    public int flags;
    public Attribute[] attributes = new Attribute[32];
    public int reserved;
    public Pointer reserved1;
    public Pointer reserved2;
    public Pointer reserved3;
    public Pointer reserved4;
    public Pointer reserved5;
    public Pointer reserved6;
    public Pointer reserved7;

    /** {@code SecretSchemaAttribute}: {@code { const gchar *name; SecretSchemaAttributeType type; }}. */
    @Structure.FieldOrder({"name", "type"})
    public static class Attribute extends Structure {
        public String name;
        public int type;
    }

    public SecretSchema() {
        for (int i = 0; i < attributes.length; i++) {
            attributes[i] = new Attribute();
        }
    }

    /**
     * A schema with string attributes, written to native memory at once. The native strings live
     * as long as this object: keep it for as long as libsecret may read it.
     */
    SecretSchema(String name, int flags, String... stringAttributes) {
        this();
        this.name = name;
        this.flags = flags;
        for (int i = 0; i < stringAttributes.length; i++) {
            attributes[i].name = stringAttributes[i];
            attributes[i].type = ATTRIBUTE_STRING;
        }
        write();
    }
}
