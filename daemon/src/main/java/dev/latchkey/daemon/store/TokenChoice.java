package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Which of a registry's tokens answers an operation: one scoped to it beats one for everything. */
final class TokenChoice {
    private TokenChoice() {
    }

    /** The best of {@code tokens} (all of one registry) for {@code operation}, saying whether scoped ones are among them. */
    static Optional<StoredToken> best(List<StoredToken> tokens, Operation operation) {
        boolean scoped = tokens.stream().anyMatch(t -> !t.operations().isEmpty());
        return tokens.stream()
                .filter(t -> t.serves(operation))
                .min(Comparator.comparing(t -> t.operations().isEmpty()))
                .map(t -> scoped ? new StoredToken(t.secret(), t.operations(), t.expiration(), t.created(), t.updated(), true) : t);
    }
}
