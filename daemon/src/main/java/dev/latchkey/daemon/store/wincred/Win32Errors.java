package dev.latchkey.daemon.store.wincred;

import dev.latchkey.daemon.store.StoreException;

/** What a Credential Manager Win32 error means to a caller: mapped by number, never by message text. */
final class Win32Errors {
    static final int ACCESS_DENIED = 5;
    static final int INVALID_PARAMETER = 87;
    static final int INVALID_FLAGS = 1004;
    /** {@code ERROR_NOT_FOUND}: cargo maps it to not-found; so does latchkey. */
    static final int NOT_FOUND = 1168;
    /** {@code ERROR_NO_SUCH_LOGON_SESSION}: no Credential Manager in this logon (a service, a network logon). */
    static final int NO_SUCH_LOGON_SESSION = 1312;
    /** {@code RPC_X_BAD_STUB_DATA}: what CredWriteW answers for a blob over the size limit. */
    static final int BAD_STUB_DATA = 1783;

    private Win32Errors() {
    }

    /** The exception a failed {@code call} with Win32 error {@code code} stands for. */
    static StoreException failure(int code, String call) {
        return switch (code) {
            case NOT_FOUND -> new StoreException.NotFound("no such credential in Windows Credential Manager");
            case NO_SUCH_LOGON_SESSION -> new StoreException.Unavailable("Windows Credential Manager is not "
                    + "available in this logon session (" + call + ": error " + code + "; a service account, a network "
                    + "logon such as SSH, or a task not set to run only when the user is logged on); run latchkey in the "
                    + "user's interactive session, or use the file store (`--store file`)");
            case ACCESS_DENIED -> new StoreException.Denied("Windows Credential Manager refused access (" + call
                    + ": error " + code + ")");
            case BAD_STUB_DATA -> tooLarge(-1);
            default -> new StoreException.Failed("Windows Credential Manager failed (" + call + ": Win32 error "
                    + code + "); `certutil -error " + code + "` explains it");
        };
    }

    /** A token over Credential Manager's limit, refused before anything is written. */
    static StoreException.Refused tooLarge(int bytes) {
        return new StoreException.Refused("the token is too large for Windows Credential Manager"
                + (bytes >= 0 ? " (" + bytes + " bytes as UTF-8)" : "") + ": a credential holds at most "
                + CredentialW.MAX_BLOB_SIZE + " bytes; keep it in the file store (`--store file`)");
    }
}
