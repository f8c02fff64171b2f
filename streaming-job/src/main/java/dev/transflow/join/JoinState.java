package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.codec.PendingSampleEncoding;

/**
 * What the sample join keeps for one impression id: while pending, the impression with its history or a click that
 * came before it; once labeled, only status, time, domain and category. Stored with {@link JoinStateSerializer}.
 */
public final class JoinState {

    public static final int WAITING = -1;
    public static final int OPEN = 0;
    public static final int POSITIVE = 1;
    public static final int NEGATIVE = 2;

    /**
     * The impression with its history while its label is unknown, as {@link PendingSampleEncoding pending bytes};
     * null before it arrives and once labeled.
     */
    public byte[] pending;
    /** Domain of the impression, once it arrived. */
    public Domain domain;
    /** A click that arrived before its impression, or null. */
    public Click earlyClick;
    /** {@link #WAITING} (click without impression), {@link #OPEN}, {@link #POSITIVE} or {@link #NEGATIVE}. */
    public int status = WAITING;
    /** Event time of the impression, once it arrived. */
    public long impressionTime;
    /** Category of the impression (for the history of its clicks), or null. */
    public String category;

    public JoinState() {}
}
