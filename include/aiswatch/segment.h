/* aiswatch/segment.h — split one MMSI's positions into segments, each plausibly one ship.
 *
 * Promise: aw_segment_track() assigns every position of one MMSI (time-ordered,
 * duplicates already removed, only available positions) to a segment, so that two ships
 * sharing an MMSI come out as two segments and a spoofed or garbled jump does not join
 * the ship's main segment. No allocation per point: scratch lives in a caller-owned
 * aw_segment_work that grows only when a longer track arrives.
 *
 * The method is Global Fishing Watch's gpsdio-segment (the Matcher of its 2.x/3.x line,
 * Apache-2.0, github.com/GlobalFishingWatch/gpsdio-segment, gpsdio_segment/matcher.py and
 * discrepancy.py), re-derived here:
 *   - Open segments are those that have seen a position within max_hours; older ones are
 *     closed and never matched again.
 *   - A new point is compared with up to `lookback` most recent points of each open
 *     segment. The comparison is a *discrepancy* in nautical miles: how far the point is
 *     from where the segment's point says the ship should be after dead reckoning with
 *     its speed and course (or the plain distance when those are unknown). It is allowed
 *     if discrepancy <= max_speed_kn * sqrt(h^2 + buffer_hours^2): GFW's 25 kn with a
 *     15-minute pad, so fixes seconds apart may still differ by receiver noise.
 *   - Allowed pairs get a score exp(-a^2) / sqrt(h^2 + buffer^2), a = (max_speed /
 *     penalty_speed) * discrepancy / allowed: near the expected spot and recent is best.
 *     Matching an older point of the segment (lookback k > 0) is divided by
 *     k * lookback_factor and drops the k newer points from the segment as noise.
 *   - Among several candidate segments the score is weighted down for short segments
 *     (c / sqrt(1 + c^2), c = points / short_seg_threshold); if the runner-up is within
 *     ambiguity_factor of the best, the choice is ambiguous and, as GFW does, those
 *     segments are closed and the point starts a new one. No candidate: new segment.
 *
 * Segment numbers are 0-based in order of each segment's first point. A point dropped as
 * noise by the lookback rule gets a segment of its own (GFW emits it as a one-message
 * "discarded" segment), so impossible jumps are always singled out.
 */
#ifndef AISWATCH_SEGMENT_H
#define AISWATCH_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct aw_segment_params {
    /* Fastest plausible speed over ground between two fixes, knots. GFW: 25 (Matcher.max_knots). */
    double max_speed_kn;
    /* Time pad for noise, hours: the allowance is max_speed_kn * sqrt(h^2 + buffer_hours^2),
     * so two fixes 0 s apart may still be max_speed_kn * buffer_hours = 6.25 nm apart.
     * GFW: 0.25 (Matcher.buffer_hours). */
    double buffer_hours;
    /* A segment with no position for longer than this is closed, hours. GFW: 24
     * (Matcher.max_hours; "it would be possible to travel around the whole earth in that
     * time"). A gap longer than this always starts a new segment, however plausible. */
    double max_hours;
    /* Dead reckoning shortens long intervals, since ships do not hold speed and course
     * for long: h' = h / (1 + (h / penalty_hours)^(1 - hours_exp)). GFW: 4 and 0.5. */
    double penalty_hours;
    double hours_exp;
    /* Discrepancy speed above which a match is strongly discouraged (score exponent),
     * knots. GFW: 5 (Matcher.penalty_speed). */
    double penalty_speed_kn;
    /* How many of a segment's latest points a new point is compared with. GFW: 5. */
    unsigned lookback;
    /* Score divisor per point looked back. GFW: 2. */
    double lookback_factor;
    /* Runner-up within this factor of the best segment: ambiguous, close both and start
     * afresh. GFW: 10. GFW stitches segments into tracks later; without that step the
     * rule fragments one ship passing its own stray fix (338013000: 17 segments), so
     * 0 turns it off (always take the best segment). */
    double ambiguity_factor;
    /* Segments with fewer points than this are weighted down among candidates. GFW: 10. */
    unsigned short_seg_threshold;
    /* Weight on the "ship stood still" and "ship is beside its course line" discrepancies
     * (larger insists on being near the dead-reckoned point). GFW: 4
     * (DiscrepancyCalculator.shape_factor). */
    double shape_factor;
    /* At most this many segments are open; a new one closes the stalest. GFW: 100
     * (Segmenter max_open_segments), a bound on work per point. */
    unsigned max_open_segments;
} aw_segment_params;

/* Fills *p with GFW's defaults listed above. */
void aw_segment_params_default(aw_segment_params *p);

/* Scratch memory, reused across calls and tracks; not shared between threads. */
typedef struct aw_segment_work aw_segment_work;
aw_segment_work *aw_segment_work_new(void); /* NULL when memory runs out */
void aw_segment_work_free(aw_segment_work *w);
/* Why the last call on w returned -1 (a static string), or "" after a success. */
const char *aw_segment_work_error(const aw_segment_work *w);

/* Segments one MMSI's n positions: time_ms (Unix ms, non-decreasing), lat/lon degrees
 * (finite, |lat| <= 90, |lon| <= 180: leave out not-available positions). Writes the
 * segment number of each point to segment_out[n] and returns the number of segments, or
 * -1 on error (NULL pointer, invalid parameter, unsorted time, position out of range,
 * n >= 2^31, out of memory; see aw_segment_work_error). n == 0 returns 0. */
int aw_segment_track(const int64_t *time_ms, const double *lat, const double *lon, size_t n,
                     const aw_segment_params *p, aw_segment_work *work, uint32_t *segment_out);

/* The same with each point's reported speed over ground (knots) and course over ground
 * (degrees), which GFW uses to dead-reckon where the ship should be; either array may
 * be NULL, and a NaN value means not available. A not-available or out-of-range speed
 * counts as 0; a not-available course (NaN or >= 360) counts as not moving. Better
 * segmentation of fast ships near one another than with positions alone. */
int aw_segment_track_motion(const int64_t *time_ms, const double *lat, const double *lon,
                            const float *sog_kn, const float *cog_deg, size_t n,
                            const aw_segment_params *p, aw_segment_work *work,
                            uint32_t *segment_out);

#endif
