package dev.latchkey.protocol;

/**
 * Which protocol a connection speaks. The latchkey protocol is cargo's plus ids, more kinds and
 * more error kinds; {@link #CARGO} narrows every answer to what cargo 1.95 accepts.
 */
public enum Dialect {
    LATCHKEY,
    CARGO
}
