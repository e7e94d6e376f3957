package lnm.importer;

import java.util.List;
import java.util.Map;

/**
 * One value of a parsed YAML or JSON document and the line it starts on (1-based), so that
 * every complaint about the resource can name its line.
 *
 * @param value a {@code Map<String, Node>} (keys in file order), a {@code List<Node>}, a
 *              {@code String} (every scalar: numbers and booleans are judged by the reader of
 *              the field), or null
 * @param line  where the value starts
 */
record Node(Object value, int line) {

    boolean isNull() {
        return value == null;
    }

    @SuppressWarnings("unchecked")
    Map<String, Node> map() {
        return value instanceof Map<?, ?> m ? (Map<String, Node>) m : null;
    }

    @SuppressWarnings("unchecked")
    List<Node> list() {
        return value instanceof List<?> l ? (List<Node>) l : null;
    }

    String scalar() {
        return value instanceof String s ? s : null;
    }

    /** What kind of value this is, for messages ("a map", "a list", ...). */
    String kind() {
        if (value == null) {
            return "empty";
        }
        return value instanceof Map ? "a map" : value instanceof List ? "a list" : "a scalar";
    }
}
