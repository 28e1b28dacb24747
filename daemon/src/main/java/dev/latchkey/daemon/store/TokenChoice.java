package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Which of a registry's tokens answers an operation: one scoped to it beats one for everything. */
public final class TokenChoice {
    private TokenChoice() {
    }

    public static Optional<StoredToken> best(List<StoredToken> tokens, Operation operation) {
        return tokens.stream()
                .filter(t -> t.serves(operation))
                .min(Comparator.comparing(t -> t.operations().isEmpty()));
    }
}
