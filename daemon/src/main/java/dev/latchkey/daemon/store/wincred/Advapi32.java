package dev.latchkey.daemon.store.wincred;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * Raw JNA mapping of the Credential Manager calls in {@code advapi32.dll} (the wide-character
 * variants). Each returns a BOOL; on FALSE the Win32 error is in {@code Native.getLastError()}
 * (see {@link Win32Errors}).
 */
interface Advapi32 extends Library {
    String NAME = "Advapi32";

    /** {@code BOOL CredReadW(LPCWSTR TargetName, DWORD Type, DWORD Flags, PCREDENTIALW *Credential)}: freed with {@link #CredFree}. */
    boolean CredReadW(WString targetName, int type, int flags, PointerByReference credential);

    /** {@code BOOL CredWriteW(PCREDENTIALW Credential, DWORD Flags)}: creates or replaces. */
    boolean CredWriteW(CredentialW credential, int flags);

    /** {@code BOOL CredDeleteW(LPCWSTR TargetName, DWORD Type, DWORD Flags)}. */
    boolean CredDeleteW(WString targetName, int type, int flags);

    /**
     * {@code BOOL CredEnumerateW(LPCWSTR Filter, DWORD Flags, DWORD *Count, PCREDENTIALW **Credential)}:
     * an array of pointers, freed (as one block) with {@link #CredFree}.
     */
    boolean CredEnumerateW(WString filter, int flags, IntByReference count, PointerByReference credentials);

    void CredFree(Pointer buffer);
}
