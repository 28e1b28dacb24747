package dev.latchkey.daemon.door.npm;

import dev.latchkey.daemon.door.HostPort;
import dev.latchkey.daemon.service.Logins;

import java.util.Locale;

/**
 * The registry URL given to {@code latchkey npm-token URL} (the command a pnpm {@code tokenHelper}
 * runs), normalised as npm and pnpm normalise the URLs their per-registry settings are keyed by:
 * scheme and host lower-cased, the scheme's default port dropped, the path ending in one slash
 * ({@code https://npm.example.com/team} and {@code https://npm.example.com:443/team/} are one
 * registry). Refused: a scheme other than http(s), a user name or password, a query or fragment,
 * whitespace, control or non-ASCII characters, empty, {@code .} or {@code ..} path segments, and a
 * host or port {@link HostPort} refuses.
 *
 * <p>Its token is kept as a login without a user name: the scheme, the host with its port, and the
 * path without the slashes around it ({@code https://npm.example.com/team/} is {@code https},
 * {@code npm.example.com}, {@code team}; the root path is none).
 */
record NpmRegistryUrl(String scheme, HostPort hostPort, String path) {
    private static final int MAX_LENGTH = 2048;

    static NpmRegistryUrl parse(String url) throws NpmProtocolException {
        if (url.isEmpty() || url.length() > MAX_LENGTH) {
            throw new NpmProtocolException("the registry URL is empty or longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new NpmProtocolException("the registry URL holds whitespace, a control character or a non-ASCII character");
            }
        }
        int separator = url.indexOf("://");
        if (separator < 0) {
            throw new NpmProtocolException("the registry URL has no scheme: give it as https://host[:port]/path/");
        }
        String scheme = url.substring(0, separator).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new NpmProtocolException("the registry URL has a scheme other than https:// or http://");
        }
        String rest = url.substring(separator + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new NpmProtocolException("the registry URL has a query or fragment");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.indexOf('@') >= 0) {
            throw new NpmProtocolException("the registry URL has a user name or password in it (an '@')");
        }
        String problem = HostPort.problem(authority);
        if (problem != null) {
            throw new NpmProtocolException("the registry URL's host " + problem);
        }
        HostPort hostPort = HostPort.parse(authority);
        if (hostPort.port() == (scheme.equals("https") ? 443 : 80)) {
            hostPort = new HostPort(hostPort.host(), HostPort.NO_PORT);
        }
        String path = slash < 0 ? "/" : rest.substring(slash);
        if (!path.endsWith("/")) {
            path = path + "/";
        }
        if (!path.equals("/")) {
            for (String segment : path.substring(1, path.length() - 1).split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new NpmProtocolException("the registry URL's path has an empty, '.' or '..' segment");
                }
            }
        }
        return new NpmRegistryUrl(scheme, hostPort, path);
    }

    /** The normalised URL: {@code https://host[:port]/path/}. */
    String url() {
        return scheme + "://" + hostPort + path;
    }

    /** The login this registry's token is kept as. */
    Logins.Login login() {
        return new Logins.Login(scheme, hostPort.toString(), path.equals("/") ? null : path.substring(1, path.length() - 1), null);
    }
}
