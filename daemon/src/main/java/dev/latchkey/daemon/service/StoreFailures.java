package dev.latchkey.daemon.service;

import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.CredentialException;

import java.util.List;

/** The one place a store's failure becomes the protocol's error kind (and so an exit code). */
final class StoreFailures {
    private StoreFailures() {
    }

    static CredentialException of(StoreException failure) {
        String message = failure.getMessage();
        if (failure instanceof StoreException.Locked) {
            return new CredentialException.Locked(message);
        } else if (failure instanceof StoreException.Unavailable) {
            return new CredentialException.Unavailable(message);
        } else if (failure instanceof StoreException.Denied) {
            return new CredentialException.Denied(message);
        } else if (failure instanceof StoreException.Refused) {
            return new CredentialException.BadRequest(message);
        } else if (failure instanceof StoreException.NotFound) {
            return new CredentialException.NotFound(message);
        }
        return new CredentialException.Failed(message, List.of());
    }
}
