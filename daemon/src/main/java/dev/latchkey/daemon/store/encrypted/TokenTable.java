package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The plaintext of an encrypted store file: every token with its metadata, in a small binary
 * layout written in one buffer of exactly its size, so that no resized copy of a token is left
 * behind. Big-endian; strings are UTF-8 with a length before them:
 *
 * <pre>
 * u32 count, then per token:
 *   u8  present: 1 name, 2 expiration, 4 created, 8 updated
 *   u8  operations: bit i for the i-th of read, publish, yank, unyank, owners (0: every operation)
 *   u16 length, key: a registry's index URL, or a login's {@code login:} form (LoginKey#canonical)
 *   u16 length, name                       if present (a registry's)
 *   u32 length, token
 *   i64 expiration, created, updated      each if present (Unix seconds)
 * </pre>
 *
 * Closing it wipes every token it holds: it hands out copies.
 */
final class TokenTable implements AutoCloseable {
    private static final List<Operation> OPERATIONS = List.of(Operation.READ, Operation.PUBLISH, Operation.YANK,
            Operation.UNYANK, Operation.OWNERS);
    private static final int NAME = 1;
    private static final int EXPIRATION = 2;
    private static final int CREATED = 4;
    private static final int UPDATED = 8;

    private record Entry(CredentialKey key, StoredToken token) {
        String name() {
            return key instanceof RegistryKey registry ? registry.name() : null;
        }
    }

    /** Thrown for a plaintext that is not in this layout; only a bug or a forged key could make one. */
    static final class MalformedTableException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedTableException(String problem) {
            super(problem);
        }
    }

    private final List<Entry> entries;

    private TokenTable(List<Entry> entries) {
        this.entries = entries;
    }

    static TokenTable empty() {
        return new TokenTable(new ArrayList<>());
    }

    /** The table {@code plaintext} holds; the caller still owns, and should wipe, {@code plaintext}. */
    static TokenTable decode(byte[] plaintext) throws MalformedTableException {
        ByteBuffer in = ByteBuffer.wrap(plaintext);
        TokenTable table = empty();
        try {
            long count = Integer.toUnsignedLong(in.getInt());
            for (long i = 0; i < count; i++) {
                int present = Byte.toUnsignedInt(in.get());
                int operationBits = Byte.toUnsignedInt(in.get());
                if (present > (NAME | EXPIRATION | CREATED | UPDATED) || operationBits >= 1 << OPERATIONS.size()) {
                    throw new MalformedTableException("token " + (i + 1) + " has unknown flags");
                }
                String indexUrl = text(in, Short.toUnsignedInt(in.getShort()));
                String name = (present & NAME) != 0 ? text(in, Short.toUnsignedInt(in.getShort())) : null;
                Secret token = secret(in, in.getInt());
                Long expiration = (present & EXPIRATION) != 0 ? in.getLong() : null;
                Long created = (present & CREATED) != 0 ? in.getLong() : null;
                Long updated = (present & UPDATED) != 0 ? in.getLong() : null;
                if (indexUrl.isEmpty()) {
                    token.wipe();
                    throw new MalformedTableException("token " + (i + 1) + " has no index URL");
                }
                table.entries.add(new Entry(CredentialKey.ofCanonical(indexUrl, name),
                        new StoredToken(token, operations(operationBits), expiration, created, updated)));
            }
            if (in.hasRemaining()) {
                throw new MalformedTableException(in.remaining() + " bytes follow the last token");
            }
            return table;
        } catch (BufferUnderflowException | IllegalArgumentException | CharacterCodingException e) {
            table.close();
            throw new MalformedTableException("a token entry runs past the end, or holds invalid UTF-8");
        } catch (MalformedTableException e) {
            table.close();
            throw e;
        }
    }

    /** The table as bytes, which the caller owns and should wipe. */
    byte[] encode() {
        List<byte[]> tokens = new ArrayList<>();
        try {
            int size = 4;
            for (Entry e : entries) {
                byte[] utf8 = e.token().secret().toUtf8();
                tokens.add(utf8);
                size += 2 + 2 + utf8(e.key().canonical()).length + 4 + utf8.length;
                if (e.name() != null) {
                    size += 2 + utf8(e.name()).length;
                }
                for (Long time : times(e.token())) {
                    size += time != null ? 8 : 0;
                }
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.putInt(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                StoredToken t = e.token();
                out.put((byte) ((e.name() != null ? NAME : 0) | (t.expiration() != null ? EXPIRATION : 0)
                        | (t.created() != null ? CREATED : 0) | (t.updated() != null ? UPDATED : 0)));
                out.put((byte) operationBits(t.operations()));
                putText(out, e.key().canonical());
                if (e.name() != null) {
                    putText(out, e.name());
                }
                out.putInt(tokens.get(i).length).put(tokens.get(i));
                for (Long time : times(t)) {
                    if (time != null) {
                        out.putLong(time);
                    }
                }
            }
            return out.array();
        } finally {
            tokens.forEach(b -> Arrays.fill(b, (byte) 0));
        }
    }

    /** Copies of every credential under {@code key}. */
    List<StoredToken> get(CredentialKey key) {
        List<StoredToken> copies = new ArrayList<>();
        for (Entry e : entries) {
            if (e.key().canonical().equals(key.canonical())) {
                copies.add(e.token().withSecret(Secret.copyOf(e.token().secret().exposeChars())));
            }
        }
        return copies;
    }

    /** Keeps a copy of {@code token}, replacing the key's credential for the same operations and keeping its creation time. */
    void put(CredentialKey key, StoredToken token) {
        Long created = token.created();
        for (var it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.key().canonical().equals(key.canonical()) && e.token().operations().equals(token.operations())) {
                if (e.token().created() != null) {
                    created = e.token().created();
                }
                e.token().secret().wipe();
                it.remove();
            }
        }
        entries.add(new Entry(key, new StoredToken(Secret.copyOf(token.secret().exposeChars()), token.operations(),
                token.expiration(), created, token.updated())));
    }

    /** Removes every credential under {@code key}; false when there was none. */
    boolean erase(CredentialKey key) {
        boolean removed = false;
        for (var it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.key().canonical().equals(key.canonical())) {
                e.token().secret().wipe();
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    List<StoreEntry> list() {
        return entries.stream().map(e -> new StoreEntry(e.key(), e.token().operations(), e.token().expiration(),
                e.token().created(), e.token().updated())).toList();
    }

    @Override
    public void close() {
        entries.forEach(e -> e.token().secret().wipe());
        entries.clear();
    }

    private static Long[] times(StoredToken token) {
        return new Long[] {token.expiration(), token.created(), token.updated()};
    }

    private static Set<Operation> operations(int bits) {
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        for (int i = 0; i < OPERATIONS.size(); i++) {
            if ((bits & 1 << i) != 0) {
                ops.add(OPERATIONS.get(i));
            }
        }
        return ops;
    }

    private static int operationBits(Set<Operation> operations) {
        int bits = 0;
        for (Operation op : operations) {
            bits |= 1 << OPERATIONS.indexOf(op);
        }
        return bits;
    }

    private static String text(ByteBuffer in, int length) throws CharacterCodingException {
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
    }

    private static Secret secret(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        Secret token = Secret.fromUtf8(in.array(), in.arrayOffset() + in.position(), length);
        in.position(in.position() + length);
        return token;
    }

    private static void putText(ByteBuffer out, String text) {
        byte[] utf8 = utf8(text);
        out.putShort((short) utf8.length).put(utf8);
    }

    private static byte[] utf8(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xffff) {
            throw new IllegalArgumentException("a registry URL or name longer than 64 KiB");
        }
        return utf8;
    }
}
