package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.HostPort;

import java.util.Locale;

/**
 * The SERVICE pip names a credential by, split into what a credential key needs. pip asks twice,
 * most specific first: by the index URL as configured, without credentials
 * ({@code http://127.0.0.1:PORT/simple/}: a scheme, host[:port] and path), then by its netloc
 * ({@code 127.0.0.1:PORT}: no scheme, no path); it stores by netloc. twine names the repository
 * URL ({@code http://127.0.0.1:PORT/}). {@code scheme} and {@code path} are null for a netloc; a URL
 * without a path has path {@code /}.
 *
 * <p>Refused: whitespace, control or non-ASCII characters, a scheme other than http(s), a user
 * name or password ({@code @}: pip takes them out before it asks), a query or fragment, a path
 * without a scheme, and a host or port {@link HostPort} refuses.
 */
record KeyringService(String scheme, HostPort hostPort, String path) {
    private static final int MAX_LENGTH = 2048;

    static KeyringService parse(String service) throws KeyringProtocolException {
        if (service.isEmpty()) {
            throw new KeyringProtocolException("the service is empty");
        }
        if (service.length() > MAX_LENGTH) {
            throw new KeyringProtocolException("the service is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < service.length(); i++) {
            char c = service.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new KeyringProtocolException("the service holds whitespace, a control character or a non-ASCII character");
            }
        }
        if (service.indexOf('?') >= 0 || service.indexOf('#') >= 0) {
            throw new KeyringProtocolException("the service has a query or fragment (pip names an index by its URL)");
        }
        String scheme = null;
        String rest = service;
        int separator = service.indexOf("://");
        if (separator >= 0) {
            scheme = service.substring(0, separator).toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new KeyringProtocolException("the service has a scheme other than https:// or http://");
            }
            rest = service.substring(separator + 3);
        }
        int slash = rest.indexOf('/');
        if (scheme == null && slash >= 0) {
            throw new KeyringProtocolException("the service is neither an index URL (https://host/path/) nor a host[:port]");
        }
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.indexOf('@') >= 0) {
            throw new KeyringProtocolException("the service has a user name or password in it (an '@'); pip names the index without them");
        }
        String problem = HostPort.problem(authority);
        if (problem != null) {
            throw new KeyringProtocolException("the service " + problem);
        }
        String path = scheme == null ? null : slash < 0 ? "/" : rest.substring(slash);
        return new KeyringService(scheme, HostPort.parse(authority), path);
    }

    /** Whether this names an index by its netloc only ({@code host[:port]}), as pip does last and when it stores. */
    boolean isNetloc() {
        return scheme == null;
    }
}
