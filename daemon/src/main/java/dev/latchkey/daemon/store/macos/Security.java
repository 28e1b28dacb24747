package dev.latchkey.daemon.store.macos;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * Raw JNA mapping of the Security.framework calls cargo's {@code cargo:macos-keychain} makes
 * (the SecKeychain generic-password calls, through the {@code security-framework} crate), plus
 * {@code SecItemCopyMatching} for listing. Every call returns an {@code OSStatus}; see {@link KeychainStatus}.
 */
interface Security extends Library {
    String NAME = "Security";

    /** {@code OSStatus SecKeychainCopyDefault(SecKeychainRef *keychain)}: released with {@code CFRelease}. */
    int SecKeychainCopyDefault(PointerByReference keychain);

    /**
     * {@code OSStatus SecKeychainFindGenericPassword(CFTypeRef keychainOrArray, UInt32 serviceNameLength,
     * const char *serviceName, UInt32 accountNameLength, const char *accountName, UInt32 *passwordLength,
     * void **passwordData, SecKeychainItemRef *itemRef)}. The data is freed with
     * {@link #SecKeychainItemFreeContent}, the item with {@code CFRelease}. An empty account matches any.
     */
    int SecKeychainFindGenericPassword(Pointer keychainOrArray, int serviceNameLength, byte[] serviceName,
                                       int accountNameLength, byte[] accountName, IntByReference passwordLength,
                                       PointerByReference passwordData, PointerByReference itemRef);

    /**
     * {@code OSStatus SecKeychainAddGenericPassword(SecKeychainRef keychain, UInt32 serviceNameLength,
     * const char *serviceName, UInt32 accountNameLength, const char *accountName, UInt32 passwordLength,
     * const void *passwordData, SecKeychainItemRef *itemRef)}; {@code itemRef} may be NULL.
     */
    int SecKeychainAddGenericPassword(Pointer keychain, int serviceNameLength, byte[] serviceName,
                                      int accountNameLength, byte[] accountName, int passwordLength,
                                      Pointer passwordData, PointerByReference itemRef);

    /** {@code OSStatus SecKeychainItemModifyAttributesAndData(SecKeychainItemRef, const SecKeychainAttributeList*, UInt32 length, const void *data)}. */
    int SecKeychainItemModifyAttributesAndData(Pointer item, Pointer attributes, int length, Pointer data);

    /** {@code OSStatus SecKeychainItemDelete(SecKeychainItemRef)}. */
    int SecKeychainItemDelete(Pointer item);

    /** {@code OSStatus SecKeychainItemFreeContent(SecKeychainAttributeList *attrList, void *data)}. */
    int SecKeychainItemFreeContent(Pointer attributes, Pointer data);

    /** {@code OSStatus SecItemCopyMatching(CFDictionaryRef query, CFTypeRef *result)}: the result is released with {@code CFRelease}. */
    int SecItemCopyMatching(Pointer query, PointerByReference result);
}
