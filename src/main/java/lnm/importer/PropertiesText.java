package lnm.importer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lnm.config.PropertiesReader;

/**
 * Builds the text of a properties file from comments and entries. Whatever a comment, key or
 * value holds, it is escaped so that it cannot end its line or start a key: the reader's line
 * ends (LF, CR) and every other control, format or separator character become escapes, a
 * backslash is doubled, and a key's separators and a value's leading blank are escaped. The
 * text is then read back with lnm's own reader, and must give exactly the entries put in;
 * anything else is an {@link IllegalStateException} and nothing of it is written.
 */
final class PropertiesText {
    private final String name;
    private final StringBuilder sb = new StringBuilder();
    private final List<PropertiesReader.Entry> entries = new ArrayList<>();

    /** @param name the file's name, for the message should the text not read back */
    PropertiesText(String name) {
        this.name = name;
    }

    /** One comment line ("# text"); the text's own line ends become escapes. */
    PropertiesText comment(String text) {
        sb.append("# ");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SafeText.unsafe(c)) {
                unicode(c);
            } else {
                sb.append(c);
            }
        }
        sb.append('\n');
        return this;
    }

    /** An empty line. */
    PropertiesText blank() {
        sb.append('\n');
        return this;
    }

    /** One "key = value" line. */
    PropertiesText entry(String key, String value) {
        entries.add(new PropertiesReader.Entry(key, value, 0));
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '=' || c == ':' || c == ' ' || ((c == '#' || c == '!') && i == 0)) {
                sb.append('\\').append(c);
            } else {
                escaped(c);
            }
        }
        sb.append(" = ");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' && i == 0) {
                sb.append("\\ ");
            } else {
                escaped(c);
            }
        }
        sb.append('\n');
        return this;
    }

    private void escaped(char c) {
        switch (c) {
            case '\\' -> sb.append("\\\\");
            case '\t' -> sb.append("\\t");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\f' -> sb.append("\\f");
            default -> {
                if (SafeText.unsafe(c)) {
                    unicode(c);
                } else {
                    sb.append(c);
                }
            }
        }
    }

    private void unicode(char c) {
        sb.append(String.format("\\u%04x", (int) c));
    }

    /** The file's text, once it reads back as exactly the entries put in. */
    String text() {
        String text = sb.toString();
        PropertiesReader.Result back = PropertiesReader.parse(Path.of(name), text);
        List<PropertiesReader.Entry> got = back.entries();
        boolean same = back.problems().isEmpty() && got.size() == entries.size();
        for (int i = 0; same && i < got.size(); i++) {
            same = got.get(i).key().equals(entries.get(i).key()) && got.get(i).value().equals(entries.get(i).value());
        }
        if (!same) {
            throw new IllegalStateException(name + " would not read back as the " + entries.size()
                    + " entries it was made of; nothing written");
        }
        return text;
    }
}
