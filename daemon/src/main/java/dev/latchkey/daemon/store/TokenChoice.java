package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.List;
import java.util.Optional;

/** Which of a registry's tokens answers an operation: one scoped to it beats one for everything. */
final class TokenChoice {
    private TokenChoice() {
    }

    static Optional<StoredToken> best(List<StoredToken> tokens, Operation operation) {
        StoredToken best = null;
        for (StoredToken token : tokens) {
            if (token.serves(operation) && (best == null || (best.operations().isEmpty() && !token.operations().isEmpty()))) {
                best = token;
            }
        }
        return Optional.ofNullable(best);
    }
}
