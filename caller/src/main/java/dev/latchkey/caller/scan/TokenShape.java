package dev.latchkey.caller.scan;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The shapes registry tokens are issued in, each with a marker that every such token holds (a
 * quick look for it decides whether the pattern is worth running) and where to revoke one. The
 * names never quote a token's prefix: a finding names no part of a token.
 */
enum TokenShape {
    CRATES_IO("a crates.io API token", "cio", "cio[A-Za-z0-9]{32}", Revoke.CRATES_IO),
    NPM("an npm access token", "npm_", "npm_[A-Za-z0-9]{36}", "revoke it at https://www.npmjs.com/settings/tokens"),
    PYPI("a PyPI API token", "pypi-", "pypi-[A-Za-z0-9_-]{50,}", "revoke it at https://pypi.org/manage/account/token/"),
    GITHUB_PERSONAL("a GitHub personal access token", "ghp_", "ghp_[A-Za-z0-9]{36,251}", Revoke.GITHUB),
    GITHUB_OAUTH("a GitHub OAuth access token", "gho_", "gho_[A-Za-z0-9]{36,251}", Revoke.GITHUB),
    GITHUB_USER_TO_SERVER("a GitHub App user access token", "ghu_", "ghu_[A-Za-z0-9]{36,251}", Revoke.GITHUB),
    GITHUB_SERVER_TO_SERVER("a GitHub App installation token", "ghs_", "ghs_[A-Za-z0-9]{36,251}", Revoke.GITHUB),
    GITHUB_REFRESH("a GitHub App refresh token", "ghr_", "ghr_[A-Za-z0-9]{36,251}", Revoke.GITHUB),
    GITHUB_FINE_GRAINED("a GitHub fine-grained personal access token", "github_pat_", "github_pat_[A-Za-z0-9_]{60,}",
            Revoke.GITHUB);

    final String what;
    final String marker;
    final Pattern pattern;
    final String fix;

    TokenShape(String what, String marker, String regex, String fix) {
        this.what = what;
        this.marker = marker;
        // Not inside a longer word: "xcio…" or a token's own tail is something else.
        this.pattern = Pattern.compile("(?<![A-Za-z0-9_-])" + regex + "(?![A-Za-z0-9_-])");
        this.fix = fix;
    }

    static final List<TokenShape> ALL = List.of(values());

    /** Where to revoke tokens of the registries more than one shape or rule names. */
    static final class Revoke {
        static final String CRATES_IO = "revoke it at https://crates.io/settings/tokens";
        static final String GITHUB = "revoke it at https://github.com/settings/tokens";

        private Revoke() {
        }
    }
}
