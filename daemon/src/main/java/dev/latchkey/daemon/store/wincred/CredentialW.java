package dev.latchkey.daemon.store.wincred;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.WString;

/**
 * Raw layout of wincred.h's {@code CREDENTIALW} (80 bytes on 64-bit Windows; the offsets are
 * checked by a test). Field names follow the C members.
 */
@Structure.FieldOrder({"flags", "type", "targetName", "comment", "lastWritten", "credentialBlobSize",
    "credentialBlob", "persist", "attributeCount", "attributes", "targetAlias", "userName"})
public class CredentialW extends Structure {
    /** {@code CRED_TYPE_GENERIC}. */
    public static final int TYPE_GENERIC = 1;
    /** {@code CRED_PERSIST_LOCAL_MACHINE}: survives logoff, stays on this machine (cargo's choice). */
    public static final int PERSIST_LOCAL_MACHINE = 2;
    /** {@code CRED_MAX_CREDENTIAL_BLOB_SIZE}: 5 * 512 bytes. */
    public static final int MAX_BLOB_SIZE = 5 * 512;

    public int flags;
    public int type;
    public WString targetName;
    public WString comment;
    public FileTime lastWritten;
    public int credentialBlobSize;
    public Pointer credentialBlob;
    public int persist;
    public int attributeCount;
    public Pointer attributes;
    public WString targetAlias;
    public WString userName;

    /** {@code FILETIME}: {@code { DWORD dwLowDateTime; DWORD dwHighDateTime; }}. */
    @Structure.FieldOrder({"lowDateTime", "highDateTime"})
    public static class FileTime extends Structure {
        public int lowDateTime;
        public int highDateTime;
    }

    public CredentialW() {
        lastWritten = new FileTime();
    }

    /** The credential Windows wrote at {@code address}, read at once. */
    public CredentialW(Pointer address) {
        super(address);
        read();
    }
}
