package dev.latchkey.daemon.store.macos;

import dev.latchkey.daemon.store.StoreException;

/** What a Security.framework {@code OSStatus} means to a caller: mapped by number, never by message text. */
final class KeychainStatus {
    static final int SUCCESS = 0;
    /** {@code errSecItemNotFound}: cargo maps it to not-found; so does latchkey. */
    static final int ITEM_NOT_FOUND = -25300;
    /** {@code errSecDuplicateItem}. */
    static final int DUPLICATE_ITEM = -25299;
    /** {@code errSecInteractionNotAllowed}: the keychain is locked and no one can be asked to unlock it here. */
    static final int INTERACTION_NOT_ALLOWED = -25308;
    /** {@code errSecAuthFailed}: a wrong password, or access refused. */
    static final int AUTH_FAILED = -25293;
    /** {@code errSecUserCanceled} (userCanceledErr): the user said no at the prompt. */
    static final int USER_CANCELED = -128;
    /** {@code errSecNotAvailable}: no keychain is available. */
    static final int NOT_AVAILABLE = -25291;
    /** {@code errSecNoSuchKeychain}: the default keychain does not exist. */
    static final int NO_SUCH_KEYCHAIN = -25294;
    /** {@code errSecMissingEntitlement}. */
    static final int MISSING_ENTITLEMENT = -34018;

    static final String LOCKED = "locked: the macOS login keychain is locked and cannot prompt in this session (SSH, a "
            + "launch agent); unlock it with `security unlock-keychain ~/Library/Keychains/login.keychain-db`";

    private KeychainStatus() {
    }

    /** The exception a failed {@code call} with {@code status} stands for. */
    static StoreException failure(int status, String call) {
        return switch (status) {
            case ITEM_NOT_FOUND -> new StoreException.NotFound("no such item in the macOS keychain");
            case INTERACTION_NOT_ALLOWED -> new StoreException.Locked(LOCKED);
            case AUTH_FAILED, USER_CANCELED, MISSING_ENTITLEMENT -> new StoreException.Denied("the macOS keychain "
                    + "refused access to the item (" + call + ": OSStatus " + status + "); allow latchkey's Java in the "
                    + "prompt, or in Keychain Access under the item's Access Control");
            case NOT_AVAILABLE, NO_SUCH_KEYCHAIN -> new StoreException.Unavailable("no default macOS keychain ("
                    + call + ": OSStatus " + status + "); make the login keychain the default with "
                    + "`security default-keychain -s login.keychain`");
            default -> new StoreException.Failed("the macOS keychain failed (" + call + ": OSStatus " + status
                    + "); `security error " + status + "` explains the status");
        };
    }
}
