package dev.latchkey.daemon.store.wincred;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.latchkey.daemon.jna.JnaUnpackDirectory;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.NamedItemKeychain;
import dev.latchkey.protocol.Secret;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The safe side of the Credential Manager binding: generic credentials by target name, blob as
 * UTF-8 bytes, as {@code cargo:wincred} writes them. Loaded once per process, on first use. What
 * Windows allocates is freed with {@code CredFree} in {@code finally}; blobs are copied out and wiped.
 */
final class CredentialManager implements NamedItemKeychain {
    private final Advapi32 advapi;

    private CredentialManager() {
        advapi = Native.load(Advapi32.NAME, Advapi32.class);
    }

    /** The binding, or why it cannot be loaded; decided once. */
    record Loaded(CredentialManager manager, String problem) {
    }

    private static final class Holder {
        static final Loaded LOADED = load();

        private static Loaded load() {
            try {
                JnaUnpackDirectory.prepare();
                return new Loaded(new CredentialManager(), null);
            } catch (LinkageError | RuntimeException e) {
                return new Loaded(null, "cannot load advapi32.dll through JNA (" + e.getMessage() + ")");
            }
        }
    }

    static Loaded get() {
        return Holder.LOADED;
    }

    /** The token in the generic credential {@code target}; empty when there is none. */
    @Override
    public Optional<Secret> find(String target) throws StoreException {
        PointerByReference found = new PointerByReference();
        if (!advapi.CredReadW(new WString(target), CredentialW.TYPE_GENERIC, 0, found)) {
            int error = Native.getLastError();
            if (error == Win32Errors.NOT_FOUND) {
                return Optional.empty();
            }
            throw Win32Errors.failure(error, "CredReadW");
        }
        try {
            CredentialW credential = new CredentialW(found.getValue());
            byte[] blob = credential.credentialBlob == null ? new byte[0]
                    : credential.credentialBlob.getByteArray(0, credential.credentialBlobSize);
            try {
                return Optional.of(utf8Token(blob));
            } finally {
                Arrays.fill(blob, (byte) 0);
                if (credential.credentialBlob != null) {
                    credential.credentialBlob.clear(credential.credentialBlobSize); // CredFree does not wipe
                }
            }
        } finally {
            advapi.CredFree(found.getValue());
        }
    }

    /** Creates or replaces the generic credential {@code target} as cargo does; the size is checked first. */
    @Override
    public void save(String target, Secret token) throws StoreException {
        byte[] utf8 = token.toUtf8();
        try {
            checkSize(utf8.length);
            Memory blob = new Memory(Math.max(1, utf8.length));
            try {
                blob.write(0, utf8, 0, utf8.length);
                CredentialW credential = credential(target, blob, utf8.length);
                if (!advapi.CredWriteW(credential, 0)) {
                    throw Win32Errors.failure(Native.getLastError(), "CredWriteW");
                }
            } finally {
                blob.clear();
                blob.close();
            }
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    /** Deletes the generic credential {@code target}; false when there was none. */
    @Override
    public boolean delete(String target) throws StoreException {
        if (advapi.CredDeleteW(new WString(target), CredentialW.TYPE_GENERIC, 0)) {
            return true;
        }
        int error = Native.getLastError();
        if (error == Win32Errors.NOT_FOUND) {
            return false;
        }
        throw Win32Errors.failure(error, "CredDeleteW");
    }

    /** The target names of the generic credentials starting with {@code prefix}, through CredEnumerateW's trailing-{@code *} filter. */
    @Override
    public List<String> namesStartingWith(String prefix) throws StoreException {
        IntByReference count = new IntByReference();
        PointerByReference array = new PointerByReference();
        if (!advapi.CredEnumerateW(new WString(prefix + "*"), 0, count, array)) {
            int error = Native.getLastError();
            if (error == Win32Errors.NOT_FOUND) {
                return List.of();
            }
            throw Win32Errors.failure(error, "CredEnumerateW");
        }
        try {
            List<String> targets = new ArrayList<>();
            for (Pointer each : array.getValue().getPointerArray(0, count.getValue())) {
                CredentialW credential = new CredentialW(each);
                if (credential.type == CredentialW.TYPE_GENERIC && credential.targetName != null) {
                    targets.add(credential.targetName.toString());
                }
            }
            return targets;
        } finally {
            advapi.CredFree(array.getValue());
        }
    }

    /** Refuses a token over {@link CredentialW#MAX_BLOB_SIZE} before anything is written. */
    static void checkSize(int utf8Length) throws StoreException {
        if (utf8Length > CredentialW.MAX_BLOB_SIZE) {
            throw Win32Errors.tooLarge(utf8Length);
        }
    }

    /** The credential cargo writes: generic, its comment, no user name, persisted on this machine. */
    static CredentialW credential(String target, Pointer blob, int blobSize) {
        CredentialW credential = new CredentialW();
        credential.type = CredentialW.TYPE_GENERIC;
        credential.targetName = new WString(target);
        credential.comment = new WString(CargoKeychainItems.WINCRED_COMMENT);
        credential.credentialBlobSize = blobSize;
        credential.credentialBlob = blob;
        credential.persist = CredentialW.PERSIST_LOCAL_MACHINE;
        return credential;
    }

    /** cargo requires the blob to be UTF-8 and so does latchkey: a UTF-16 blob from another tool is reported, not garbled. */
    private static Secret utf8Token(byte[] blob) throws StoreException {
        CharBuffer decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(blob));
        } catch (CharacterCodingException e) {
            throw new StoreException.Failed("the credential's blob is not UTF-8 (another tool may have written it "
                    + "as UTF-16); store the token again with `latchkey store` or `cargo login`");
        }
        char[] chars = new char[decoded.remaining()];
        decoded.get(chars);
        Arrays.fill(decoded.array(), '\0');
        try {
            return Secret.copyOf(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }
}
