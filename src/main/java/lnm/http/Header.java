package lnm.http;

/**
 * One header field as received: the name in its original case, the value without surrounding
 * blanks. Values are ISO-8859-1 decoded so that every byte maps to one char.
 */
public record Header(String name, String value) {
    /** Case-insensitive name comparison (header names are case-insensitive, RFC 9110 5.1). */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }
}
