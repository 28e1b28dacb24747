package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.HostPort;
import dev.latchkey.daemon.service.Logins;

import java.util.List;
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
 *
 * <p>As a login, a netloc is its {@code host[:port]} with no scheme and no path (the key a docker
 * registry comes to as well); a URL keeps its scheme and its path without the slashes around it
 * ({@code http://127.0.0.1:PORT/simple/} is {@code http}, {@code 127.0.0.1:PORT}, {@code simple}).
 * What pip stores, by netloc, is found by both forms pip asks with: a URL is looked up as itself,
 * then as its netloc.
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

    /** The login {@code username} keeps under this service, as named. */
    Logins.Login login(String username) {
        return new Logins.Login(scheme, hostPort.toString(), isNetloc() ? null : trimmedPath(), username);
    }

    /**
     * What a {@code get} looks for, most specific first: this service as named, then, for a URL, its
     * netloc; of {@code username}, or of any user when null.
     */
    List<Logins.Query> lookups(String username) {
        Logins.Query named = username != null ? Logins.Query.exactly(login(username))
                : Logins.Query.site(scheme, hostPort.toString(), isNetloc() ? null : trimmedPath(), null);
        if (isNetloc()) {
            return List.of(named);
        }
        Logins.Query netloc = username != null ? Logins.Query.exactly(new Logins.Login(null, hostPort.toString(), null, username))
                : Logins.Query.site(null, hostPort.toString(), null, null);
        return List.of(named, netloc);
    }

    private String trimmedPath() {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return start == end ? null : path.substring(start, end);
    }

    /** The service as named, for messages: it holds no secret (a user name or password in it is refused). */
    @Override
    public String toString() {
        return isNetloc() ? hostPort.toString() : scheme + "://" + hostPort + path;
    }
}
