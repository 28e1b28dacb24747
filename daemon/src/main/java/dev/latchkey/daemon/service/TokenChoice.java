package dev.latchkey.daemon.service;

import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;

import java.util.List;
import java.util.Optional;

/** Which of the tokens a store holds under one key answers an operation: one scoped to it beats one for everything. */
public final class TokenChoice {
    private TokenChoice() {
    }

    /**
     * The best of {@code tokens} (all of one key) for {@code operation}, saying whether scoped ones
     * are among them; the others' secrets are wiped. Loops, not streams: this runs once per cargo
     * request, in a cold JVM.
     */
    public static Optional<StoredToken> best(List<StoredToken> tokens, Operation operation) {
        boolean scoped = false;
        StoredToken best = null;
        for (StoredToken t : tokens) {
            scoped |= !t.operations().isEmpty();
            if (t.serves(operation) && (best == null || (best.operations().isEmpty() && !t.operations().isEmpty()))) {
                best = t;
            }
        }
        for (StoredToken t : tokens) {
            if (t != best) {
                t.secret().wipe();
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        boolean scopedSiblings = scoped && tokens.size() > 1;
        return Optional.of(scopedSiblings ? new StoredToken(best.secret(), best.operations(), best.expiration(), best.created(),
                best.updated(), true) : best);
    }
}
