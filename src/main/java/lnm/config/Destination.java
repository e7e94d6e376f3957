package lnm.config;

import java.util.Locale;

/** Where an allowlist entry sends matching connections: its value in {@code allowlist.properties}. */
public sealed interface Destination {

    /** {@code direct}: resolve the name here and connect to it on the client's port. */
    record Direct() implements Destination {
        @Override
        public String text() {
            return "direct";
        }
    }

    /** {@code parent}: hand to the proxy one level up. */
    record Parent() implements Destination {
        @Override
        public String text() {
            return "parent";
        }
    }

    /** {@code host[:port]}: a fixed target; port -1 means the port the client connected to. */
    record Fixed(HostPort target) implements Destination {
        public Fixed {
            java.util.Objects.requireNonNull(target, "target");
        }

        @Override
        public String text() {
            return target.toString();
        }
    }

    /** Empty value: parent if one is configured, else direct. */
    record Default() implements Destination {
        @Override
        public String text() {
            return "";
        }
    }

    /** The value as written in the allowlist ({@code ""} for {@link Default}). */
    String text();

    /**
     * Parses an allowlist value: {@code direct}, {@code parent}, {@code host[:port]} or empty.
     *
     * @throws IllegalArgumentException saying what is wrong with a host[:port]
     */
    static Destination parse(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return new Default();
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "direct": return new Direct();
            case "parent": return new Parent();
            default: return new Fixed(HostPort.parse(v, -1));
        }
    }
}
