package dev.latchkey.daemon.store.encrypted;

/**
 * scrypt's cost parameters: {@code N = 2^log2N} blocks of {@code 128 * r} bytes, {@code p} times.
 * A file's header carries them, so a file keeps opening when the default changes; the bounds keep
 * a damaged or hostile header from making latchkey either accept a trivially weak key or allocate
 * gigabytes.
 */
record ScryptCost(int log2N, int r, int p) {
    /**
     * What new files get: 64 MiB and about 0.2 s of one core per guess (docs/stores.md, "Encrypted store").
     * Twice the memory would double a guesser's cost too, but also every fresh provider process's
     * wait, and would not fit the JVM's default heap on a 512 MiB machine.
     */
    static final ScryptCost DEFAULT = new ScryptCost(16, 8, 1);
    /** The weakest a header may ask for: half the default's work. */
    static final ScryptCost MINIMUM = new ScryptCost(15, 8, 1);
    /** The most memory a header may ask for: 256 MiB. */
    static final long MAX_MEMORY = 256L << 20;
    /** The most work a header may ask for ({@code N * r * p}): sixteen times the default, a few seconds. */
    static final long MAX_WORK = 16L * DEFAULT.work();

    /** Bytes of memory one derivation takes. */
    long memory() {
        return 128L * r * (1L << log2N);
    }

    /** The number of Salsa20/8 block mixes, up to a constant factor: what a guess costs in time. */
    long work() {
        return (1L << log2N) * r * p;
    }

    /** Why a header asking for this cost is refused, or null when it is acceptable. */
    String problem() {
        if (log2N < 1 || log2N > 24 || r < 1 || r > 32 || p < 1 || p > 16) {
            return "asks for scrypt parameters out of range (" + this + ")";
        }
        if (work() < MINIMUM.work()) {
            return "asks for a scrypt cost (" + this + ") weaker than latchkey accepts (at least " + MINIMUM + ")";
        }
        if (memory() > MAX_MEMORY || work() > MAX_WORK) {
            return "asks for a scrypt cost (" + this + ", " + (memory() >> 20) + " MiB) beyond what latchkey will spend "
                    + "(at most " + (MAX_MEMORY >> 20) + " MiB and " + MAX_WORK / DEFAULT.work() + " times the default "
                    + DEFAULT + ")";
        }
        return null;
    }

    @Override
    public String toString() {
        return "N=2^" + log2N + " r=" + r + " p=" + p;
    }
}
