package dev.latchkey.daemon.store.macos;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** Raw JNA mapping of the CoreFoundation calls needed to build a keychain query and read its answer. */
interface CoreFoundation extends Library {
    String NAME = "CoreFoundation";

    /** {@code kCFStringEncodingUTF8}. */
    int STRING_ENCODING_UTF8 = 0x08000100;

    /**
     * {@code CFDictionaryRef CFDictionaryCreate(CFAllocatorRef, const void **keys, const void **values,
     * CFIndex numValues, const CFDictionaryKeyCallBacks*, const CFDictionaryValueCallBacks*)}.
     */
    Pointer CFDictionaryCreate(Pointer allocator, Pointer[] keys, Pointer[] values, long count, Pointer keyCallBacks,
                               Pointer valueCallBacks);

    /** {@code const void *CFDictionaryGetValue(CFDictionaryRef, const void *key)}: borrowed. */
    Pointer CFDictionaryGetValue(Pointer dictionary, Pointer key);

    long CFArrayGetCount(Pointer array);

    /** {@code const void *CFArrayGetValueAtIndex(CFArrayRef, CFIndex)}: borrowed. */
    Pointer CFArrayGetValueAtIndex(Pointer array, long index);

    long CFGetTypeID(Pointer object);

    long CFStringGetTypeID();

    long CFStringGetLength(Pointer string);

    long CFStringGetMaximumSizeForEncoding(long length, int encoding);

    /** {@code Boolean CFStringGetCString(CFStringRef, char *buffer, CFIndex bufferSize, CFStringEncoding)}. */
    byte CFStringGetCString(Pointer string, byte[] buffer, long bufferSize, int encoding);

    void CFRelease(Pointer object);
}
