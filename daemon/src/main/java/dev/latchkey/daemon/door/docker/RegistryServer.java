package dev.latchkey.daemon.door.docker;

import dev.latchkey.daemon.door.HostPort;
import dev.latchkey.daemon.service.Logins;

import java.util.Locale;
import java.util.Set;

/**
 * The registry a docker credential helper is asked about, as docker names it: {@code given} is
 * the server string exactly as it came. Every form docker and its forks have used for one registry
 * comes to one {@link #key()}: {@code R}, {@code R/}, {@code http://R}, {@code https://R}, with
 * {@code /v1/} or {@code /v2/} after it; and for Docker Hub {@code https://index.docker.io/v1/}
 * (docker's own key for it), {@code docker.io}, {@code index.docker.io} and
 * {@code registry-1.docker.io}.
 *
 * <p>Refused: whitespace, control and non-ASCII characters (docker sends none; a name with them
 * is a mistake or an attack), a scheme other than http(s), a user name or password ({@code @}), a
 * query or fragment, any other path (docker names a registry by its host only; Hub's key alone
 * has {@code /v1/}), and a host or port {@link HostPort} refuses.
 *
 * <p>As a login, a registry is its {@code host[:port]} with no scheme and no path (Docker Hub's host
 * is {@code index.docker.io}), the key pip's netloc comes to as well: one login per registry, which
 * {@code store} replaces whatever its user, and which never matches a login that has a scheme or a
 * path (git's for a repository on the same host).
 */
record RegistryServer(String given, HostPort hostPort, boolean dockerHub) {
    /** The key docker itself stores Docker Hub's credentials under. */
    static final String DOCKER_HUB = "https://index.docker.io/v1/";
    /** Docker Hub's host, which its login is kept under. */
    private static final String HUB_HOST = "index.docker.io";
    private static final Set<String> HUB_HOSTS = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private static final Set<String> API_PATHS = Set.of("", "/", "/v1", "/v1/", "/v2", "/v2/");
    private static final Set<String> HUB_PATHS = Set.of("", "/", "/v1", "/v1/");
    private static final int MAX_LENGTH = 2048;

    static RegistryServer parse(String given) throws DockerProtocolException {
        if (given.isEmpty()) {
            throw new DockerProtocolException("the server address is empty");
        }
        if (given.length() > MAX_LENGTH) {
            throw new DockerProtocolException("the server address is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < given.length(); i++) {
            char c = given.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new DockerProtocolException("the server address holds whitespace, a control character or a"
                        + " non-ASCII character (a registry is named by host[:port])");
            }
        }
        if (given.indexOf('?') >= 0 || given.indexOf('#') >= 0) {
            throw new DockerProtocolException("the server address has a query or fragment (a registry is named by host[:port])");
        }
        String rest = given;
        int scheme = given.indexOf("://");
        if (scheme >= 0) {
            String name = given.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!name.equals("https") && !name.equals("http")) {
                throw new DockerProtocolException("the server address has a scheme other than https:// or http://");
            }
            rest = given.substring(scheme + 3);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (authority.indexOf('@') >= 0) {
            throw new DockerProtocolException("the server address has a user name or password in it (an '@');"
                    + " give the registry's host[:port] only");
        }
        String problem = HostPort.problem(authority);
        if (problem != null) {
            throw new DockerProtocolException("the server address " + problem);
        }
        HostPort hostPort = HostPort.parse(authority);
        boolean hub = hostPort.port() == HostPort.NO_PORT && HUB_HOSTS.contains(hostPort.host());
        if (!(hub ? HUB_PATHS : API_PATHS).contains(path)) {
            throw new DockerProtocolException(hub
                    ? "the server address names Docker Hub with a path other than /v1/"
                    : "the server address has a path; docker names a registry by host[:port] only");
        }
        return new RegistryServer(given, hostPort, hub);
    }

    /** The one key for this registry: {@link #DOCKER_HUB} for Docker Hub, else {@code host[:port]}. */
    String key() {
        return dockerHub ? DOCKER_HUB : hostPort.toString();
    }

    /** The login {@code username} keeps for this registry. */
    Logins.Login login(String username) {
        return new Logins.Login(null, loginHost(), null, username);
    }

    /** This registry's login, whatever its user. */
    Logins.Query query() {
        return Logins.Query.site(null, loginHost(), null, null);
    }

    private String loginHost() {
        return dockerHub ? HUB_HOST : hostPort.toString();
    }

    /** Whether {@code login} is a registry's as docker keeps them: no scheme, no path, a user name. */
    static boolean isRegistryLogin(Logins.Login login) {
        return login.protocol() == null && login.path() == null && login.username() != null;
    }

    /** The server a registry's login is listed under: docker's own key, {@link #DOCKER_HUB} for Docker Hub. */
    static String serverUrlOf(Logins.Login login) {
        return login.host().equals(HUB_HOST) ? DOCKER_HUB : login.host();
    }
}
