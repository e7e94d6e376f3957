package lnm.dns;

/** DNS type, class and rcode numbers lnm uses, and their mnemonics for audit lines. */
public final class DnsCodes {
    private DnsCodes() {}

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_MX = 15;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SRV = 33;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_HTTPS = 65;
    public static final int TYPE_ANY = 255;

    public static final int CLASS_IN = 1;

    public static final int OPCODE_QUERY = 0;

    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;
    /** Extended rcode (RFC 6891): the query's EDNS version is not supported. */
    public static final int BADVERS = 16;

    /** The type's mnemonic, or {@code TYPEnnn} (RFC 3597) for the rest. */
    public static String typeName(int type) {
        return switch (type) {
            case TYPE_A -> "A";
            case TYPE_NS -> "NS";
            case TYPE_CNAME -> "CNAME";
            case TYPE_SOA -> "SOA";
            case TYPE_PTR -> "PTR";
            case TYPE_MX -> "MX";
            case TYPE_TXT -> "TXT";
            case TYPE_AAAA -> "AAAA";
            case TYPE_SRV -> "SRV";
            case TYPE_OPT -> "OPT";
            case 43 -> "DS";
            case 46 -> "RRSIG";
            case 48 -> "DNSKEY";
            case 64 -> "SVCB";
            case TYPE_HTTPS -> "HTTPS";
            case TYPE_ANY -> "ANY";
            case 257 -> "CAA";
            default -> "TYPE" + type;
        };
    }

    /** The rcode's mnemonic, or {@code RCODEnn}. */
    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR";
            case FORMERR -> "FORMERR";
            case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN";
            case NOTIMP -> "NOTIMP";
            case REFUSED -> "REFUSED";
            case BADVERS -> "BADVERS";
            default -> "RCODE" + rcode;
        };
    }
}
