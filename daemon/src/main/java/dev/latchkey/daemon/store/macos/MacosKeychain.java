package dev.latchkey.daemon.store.macos;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.latchkey.daemon.jna.JnaUnpackDirectory;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.keychain.NamedItemKeychain;
import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The safe side of the Security.framework binding: generic passwords in the default keychain by
 * service name, with an empty account, as cargo keeps them. Loaded once per process, on first use.
 * Native references are released in {@code finally}; a password is copied into a {@link Secret}.
 */
final class MacosKeychain implements NamedItemKeychain {
    /** The empty account cargo uses; the keychain treats it as "any account" when searching. */
    private static final byte[] ACCOUNT = new byte[0];

    private final Security security;
    private final CoreFoundation cf;
    private final NativeLibrary securityLibrary;
    private final NativeLibrary cfLibrary;

    private MacosKeychain() {
        security = Native.load(Security.NAME, Security.class);
        cf = Native.load(CoreFoundation.NAME, CoreFoundation.class);
        securityLibrary = NativeLibrary.getInstance(Security.NAME);
        cfLibrary = NativeLibrary.getInstance(CoreFoundation.NAME);
    }

    /** The binding, or why it cannot be loaded; decided once. */
    record Loaded(MacosKeychain keychain, String problem) {
    }

    private static final class Holder {
        static final Loaded LOADED = load();

        private static Loaded load() {
            try {
                JnaUnpackDirectory.prepare();
                return new Loaded(new MacosKeychain(), null);
            } catch (LinkageError | RuntimeException e) {
                return new Loaded(null, "cannot load Security.framework through JNA (" + e.getMessage() + ")");
            }
        }
    }

    static Loaded get() {
        return Holder.LOADED;
    }

    /** The password of the item for {@code service}; empty when there is none. */
    @Override
    public Optional<Secret> find(String service) throws StoreException {
        PointerByReference keychain = defaultKeychain();
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        IntByReference length = new IntByReference();
        PointerByReference data = new PointerByReference();
        try {
            int status = security.SecKeychainFindGenericPassword(keychain.getValue(), name.length, name, 0, ACCOUNT,
                    length, data, null);
            if (status == KeychainStatus.ITEM_NOT_FOUND) {
                return Optional.empty();
            }
            if (status != KeychainStatus.SUCCESS) {
                throw KeychainStatus.failure(status, "SecKeychainFindGenericPassword");
            }
            byte[] utf8 = data.getValue().getByteArray(0, length.getValue());
            try {
                return Optional.of(Secret.fromUtf8(utf8, 0, utf8.length));
            } finally {
                Arrays.fill(utf8, (byte) 0);
                data.getValue().clear(length.getValue()); // the framework frees without wiping
                security.SecKeychainItemFreeContent(null, data.getValue());
            }
        } finally {
            cf.CFRelease(keychain.getValue());
        }
    }

    /** Updates the item for {@code service} in place, or adds it: what {@code cargo login} does. */
    @Override
    public void save(String service, Secret token) throws StoreException {
        PointerByReference keychain = defaultKeychain();
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        byte[] utf8 = token.toUtf8();
        Memory password = new Memory(Math.max(1, utf8.length));
        PointerByReference item = new PointerByReference();
        try {
            password.write(0, utf8, 0, utf8.length);
            int found = security.SecKeychainFindGenericPassword(keychain.getValue(), name.length, name, 0, ACCOUNT,
                    null, null, item);
            int status;
            String call;
            if (found == KeychainStatus.SUCCESS) {
                call = "SecKeychainItemModifyAttributesAndData";
                status = security.SecKeychainItemModifyAttributesAndData(item.getValue(), null, utf8.length, password);
            } else if (found == KeychainStatus.ITEM_NOT_FOUND) {
                call = "SecKeychainAddGenericPassword";
                status = security.SecKeychainAddGenericPassword(keychain.getValue(), name.length, name, 0, ACCOUNT,
                        utf8.length, password, null);
            } else {
                call = "SecKeychainFindGenericPassword";
                status = found;
            }
            if (status != KeychainStatus.SUCCESS) {
                throw KeychainStatus.failure(status, call);
            }
        } finally {
            password.clear();
            password.close();
            Arrays.fill(utf8, (byte) 0);
            release(item.getValue());
            cf.CFRelease(keychain.getValue());
        }
    }

    /** Deletes the item for {@code service}; false when there was none. */
    @Override
    public boolean delete(String service) throws StoreException {
        PointerByReference keychain = defaultKeychain();
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        PointerByReference item = new PointerByReference();
        try {
            int status = security.SecKeychainFindGenericPassword(keychain.getValue(), name.length, name, 0, ACCOUNT,
                    null, null, item);
            if (status == KeychainStatus.ITEM_NOT_FOUND) {
                return false;
            }
            if (status != KeychainStatus.SUCCESS) {
                throw KeychainStatus.failure(status, "SecKeychainFindGenericPassword");
            }
            status = security.SecKeychainItemDelete(item.getValue());
            if (status != KeychainStatus.SUCCESS) {
                throw KeychainStatus.failure(status, "SecKeychainItemDelete");
            }
            return true;
        } finally {
            release(item.getValue());
            cf.CFRelease(keychain.getValue());
        }
    }

    /** The service names of every generic password whose service starts with {@code prefix} (attributes only: no prompt). */
    @Override
    public List<String> namesStartingWith(String prefix) throws StoreException {
        Pointer[] keys = {constant(securityLibrary, "kSecClass"), constant(securityLibrary, "kSecMatchLimit"),
            constant(securityLibrary, "kSecReturnAttributes")};
        Pointer[] values = {constant(securityLibrary, "kSecClassGenericPassword"),
            constant(securityLibrary, "kSecMatchLimitAll"), constant(cfLibrary, "kCFBooleanTrue")};
        Pointer query = cf.CFDictionaryCreate(null, keys, values, keys.length,
                cfLibrary.getGlobalVariableAddress("kCFTypeDictionaryKeyCallBacks"),
                cfLibrary.getGlobalVariableAddress("kCFTypeDictionaryValueCallBacks"));
        PointerByReference result = new PointerByReference();
        try {
            int status = security.SecItemCopyMatching(query, result);
            if (status == KeychainStatus.ITEM_NOT_FOUND) {
                return List.of();
            }
            if (status != KeychainStatus.SUCCESS) {
                throw KeychainStatus.failure(status, "SecItemCopyMatching");
            }
            Pointer serviceKey = constant(securityLibrary, "kSecAttrService");
            List<String> services = new ArrayList<>();
            long count = cf.CFArrayGetCount(result.getValue());
            for (long i = 0; i < count; i++) {
                Pointer attributes = cf.CFArrayGetValueAtIndex(result.getValue(), i);
                String service = string(cf.CFDictionaryGetValue(attributes, serviceKey));
                if (service != null && service.startsWith(prefix)) {
                    services.add(service);
                }
            }
            return services;
        } finally {
            release(result.getValue());
            cf.CFRelease(query);
        }
    }

    private PointerByReference defaultKeychain() throws StoreException {
        PointerByReference keychain = new PointerByReference();
        int status = security.SecKeychainCopyDefault(keychain);
        if (status != KeychainStatus.SUCCESS) {
            throw KeychainStatus.failure(status, "SecKeychainCopyDefault");
        }
        return keychain;
    }

    /** A CFString's text, or null when {@code value} is not a CFString. */
    private String string(Pointer value) {
        if (value == null || cf.CFGetTypeID(value) != cf.CFStringGetTypeID()) {
            return null;
        }
        long size = cf.CFStringGetMaximumSizeForEncoding(cf.CFStringGetLength(value), CoreFoundation.STRING_ENCODING_UTF8) + 1;
        byte[] buffer = new byte[Math.toIntExact(size)];
        if (cf.CFStringGetCString(value, buffer, size, CoreFoundation.STRING_ENCODING_UTF8) == 0) {
            return null;
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    /** The value of a global constant such as {@code kSecClass} (each is a pointer-sized variable). */
    private static Pointer constant(NativeLibrary library, String symbol) {
        return library.getGlobalVariableAddress(symbol).getPointer(0);
    }

    private void release(Pointer reference) {
        if (reference != null) {
            cf.CFRelease(reference);
        }
    }
}
