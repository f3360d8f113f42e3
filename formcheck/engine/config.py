"""The engine's limits and levels in one typed, frozen config; units in the names, with reasons.

Constants of a measuring method rather than of a judgement (the hold timer's stillness share
in ``holds.py``, the pause window in ``session.py``) stay beside the code they describe, each
with its reason. The lunge depth estimate's scale and standing-height band are here
(:class:`DepthConfig`): the band decides when the hips are down, which the counter counts on.

Sections are small frozen dataclasses so a caller can override one value with
``dataclasses.replace``. Angles are degrees, times milliseconds, lengths are ratios of a body
segment (scale-free) unless the name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmoothingConfig:
    """Landmark smoothing and visibility gating."""

    # One Euro on coordinates in frame heights: 1.5 Hz keeps a still pose steady (jitter / 2.3).
    min_cutoff_hz: float = 1.5
    # Speed coefficient on the body's speed (below): a 0.5 height/s lunge descent opens the
    # cutoff to ~11 Hz (lag 11 ms). 5, on each point's own speed, left the slow points of a
    # moving body (a lunge's front knee) behind the fast ones (hips): rendered lunges read their
    # front knee angle best two frames late (median error 4.1 there, 5.4 on time; now 4.7).
    beta: float = 20.0
    # The body's speed: this quantile of the landmarks' image speeds opens the filter for every
    # landmark alike, so a joint angle is not bent by points smoothed with different lags.
    speed_quantile: float = 0.9
    # Cutoff of the derivative estimate; the filter's authors' default.
    d_cutoff_hz: float = 1.0
    # Below this MediaPipe visibility a landmark is treated as not seen. Far-side limbs in a side
    # view typically read 0.3-0.6 and are still placed plausibly; below 0.3 is guesswork.
    min_visibility: float = 0.3
    # Below this presence the landmark is probably outside the frame.
    min_presence: float = 0.5
    # A landmark unseen this long is bridged with its last value; beyond that it is unknown.
    max_gap_ms: float = 250.0
    # Median landmark move between two consecutive frames above this share of the frame
    # diagonal is not a body moving (a lunge moves < 2 % per frame at 30 fps, and a person
    # crossing the room in a second < 5 %): a glitch, another person or a cut. Such a frame
    # counts as not seen and the smoothing restarts after it.
    max_jump_diag_ratio: float = 0.15
    # MediaPipe reports no pose when its tracking confidence drops and detects the person from
    # scratch on the next frame. One gap is something passing in front; found again this many
    # times within the window, the tracker cannot hold the person, and its fresh detections
    # each place the body differently (a rendered 180 deg bridge hold seen from the feet,
    # found again up to 11 times a second, read 116-160 deg so): counting and timing pause
    # until the tracking is steady again. Five a second is a lost frame in every 6 at 30 fps,
    # every 12 at 60; no other rendered or real clip came above 2.
    unsteady_redetections: int = 5
    steady_window_ms: float = 1000.0


@dataclass(frozen=True)
class ViewConfig:
    """Camera view, posture and floor line."""

    # (shoulder width + hip width) / (2 x torso length): ~0.65 facing the camera, ~0.05 sideways.
    side_max_width_ratio: float = 0.25
    # Above this the camera sees the person from the front (within ~40 deg of facing it).
    front_min_width_ratio: float = 0.45
    # Hysteresis on the width ratio so the view does not flip on the boundary.
    width_ratio_hysteresis: float = 0.05
    # The view is judged on the median of this window; a single twisted frame does not count.
    window_ms: float = 600.0
    # A person seen from the front and turned further than this from facing the camera (the
    # mean of the hip line's and the shoulder line's turn out of the picture, from MediaPipe's
    # world landmarks, window median) is not square-on: their knee line, stance width and hip
    # line are not judged, since at 3/4 the front knee's reach and the feet's fore-aft spread
    # project across the picture. On rendered lunges' work frames (per-clip medians) the camera
    # within 7 deg of the front read 1-18 (standing 1-9: the lunge itself turns the reading),
    # 39-48 deg off it read 22-52 and the knee line 22-35 deg "in" or "out". 15 would have
    # switched the checks off, and asked to face the camera, on two front holds.
    square_max_turn_deg: float = 20.0
    # ... and square-on again only once turned no further than the limit less this.
    square_turn_hysteresis_deg: float = 5.0
    # Lying, the torso is foreshortened along the body, so the width ratio reads "front" at 3/4
    # too (rendered 3/4 bridges 0.42-0.58). The shoulder-ankle line lies on the floor whatever
    # the hips do: seen from the feet it runs up the picture (rendered: 80-89 deg from the floor
    # line), at 3/4 across it (10-20). A body lying at less than this to the floor line is seen
    # at 3/4, not from the feet. The angle also depends on the camera's height: on the stick
    # figure a camera 0.3 m up and 5 deg off the feet's axis reads 25, one 0.5 m up and 10 deg
    # off reads 29, so a low camera a little off the feet counts as 3/4 (synthetic bridges there
    # count the same either way).
    lying_front_min_axis_deg: float = 45.0
    # ... with this much hysteresis, so the view does not flip on the boundary.
    lying_axis_hysteresis_deg: float = 5.0
    # Trunk this far from the floor-normal means lying (a bridge top is ~60-75 deg).
    lying_min_trunk_deg: float = 50.0
    # Trunk within this of the floor-normal means standing (a deep lunge leans ~25 deg at most).
    standing_max_trunk_deg: float = 40.0
    # Shoulders this far behind the ankles along the camera axis (world trunk lengths) means
    # lying seen from the feet: standing keeps the shoulders over the feet (rendered and real
    # standing clips: window median <= ~0.5 even in a squat), a body lying along the axis puts
    # them a thigh and trunk back (~2 true; MediaPipe's shortened depth reads 1.1-1.4).
    lying_min_shoulders_behind_feet_ratio: float = 0.8
    # ... and standing needs them back below this (hysteresis: a bridge's rest reads ~0.3-1.4).
    standing_max_shoulders_behind_feet_ratio: float = 0.5
    # A foot shorter than this (ratio of leg length) is seen end-on: no floor evidence.
    floor_min_foot_ratio: float = 0.12
    # A camera tilted more than this is not believed; the floor estimate is clamped.
    floor_max_tilt_deg: float = 15.0
    # Median over this many floor samples: the feet lift and land, the floor does not move.
    floor_window_samples: int = 90
    # Side view: fore-aft foot spread (ratio of leg length) that makes a lunge (split) stance.
    lunge_min_foot_spread_ratio: float = 0.45
    # Lateral foot spread (hip widths, along the hip line of the 3D landmarks, so far less
    # dependent on the camera's angle than the picture) above which a stance is a lateral lunge.
    # At lunge depth a split stance kept the feet 0.3-2.3 hip widths apart sideways and a squat
    # 1.7-1.9 on the clips measured, a lateral lunge 4.2-4.4. (In the picture a split seen at
    # 3/4 spread 4.4-4.9, like a lateral lunge seen from the front.) MediaPipe's depth axis is
    # compressed: at 25-30 deg from the front, a split whose depth reads 0.45-0.6 of true comes
    # near the threshold (2.6-4.1 on synthetic poses).
    lateral_max_foot_spread_ratio: float = 3.0
    # Other views, at depth: ankle height difference (trunk lengths) of a split stance; the back
    # foot ~0.8 m further away shows ~0.3-0.5 trunk higher, side-by-side feet ~0.
    split_min_ankle_height_ratio: float = 0.2
    # Or: knee height difference (trunk lengths); the back knee drops to ~0.4-0.7 below the front.
    split_min_knee_height_ratio: float = 0.3
    # A leg segment (thigh, shin) read shorter than this share of its usual length is a
    # mixed-up reading: from the side the segments lie in the picture's plane and keep their
    # length. At the bottoms of rendered side-view lunges (seeds 1-24) 13% of the frames read
    # the front leg that short, where MediaPipe lays the legs over each other; their front knee
    # angle was 21.7 deg off (median), 5.8 on the other frames.
    min_leg_segment_share: float = 0.8
    # The usual length: the median over this window, in trunk lengths (long enough that legs
    # mixed up for a second at each bottom do not move it).
    segment_window_ms: float = 10000.0
    # Key landmarks missing this long -> "step back so your whole body is visible".
    guidance_delay_ms: float = 700.0
    # Lost (or found afresh every few frames) after being seen lying, from the feet or at an
    # angle: MediaPipe loses a body lying along the camera axis far more often than one seen
    # from the side (rendered holds from the feet, seeds 1-26 and 33-40: found in 37-75 % of
    # the frames on 6 of 34; 28 side-view renders: 100 %), so for this long the advice is to
    # move the camera, not to step into the picture.
    end_on_hint_ms: float = 10000.0


@dataclass(frozen=True)
class CounterConfig:
    """Generic rep counter over one scalar signal (per exercise levels live in the specs)."""

    # Progress (0 start .. 1 work level) to enter the working position; deep enough to mean it.
    work_enter_progress: float = 0.6
    # Progress below which the person is back at the start; far from the work threshold so
    # jitter around either threshold cannot produce a second count.
    return_progress: float = 0.3
    # ... or that share of a rep's own depth where another reading agrees (the side-view
    # lunge's hips), but never further from the start than this share of the range the levels
    # assume (0.45 of 174 -> 110: 29 deg).
    return_progress_max: float = 0.45
    # Must be this still at the start before counting begins ("getting into position").
    ready_dwell_ms: float = 400.0
    # Signal range (deg) within the dwell time that counts as still (MediaPipe jitter ~2-4).
    ready_still_range_deg: float = 8.0
    # A rep shorter than this is a twitch, not a rep.
    min_rep_ms: float = 500.0
    # Time in the working position before it counts as reached (one spike is not a bottom).
    min_work_ms: float = 80.0
    # The counted angle cannot change faster than this (20 deg a frame at 30 fps): rendered
    # lunges bend the knee at most 8.5 deg a frame (255 deg/s). Faster is a glitch, such as the
    # legs mixed up for a frame or two reading as standing: 1.6% of the frames of 216 rendered
    # side-view lunge clips jumped over 20 deg, every one where the truth moved under 10.
    max_signal_rate_deg_s: float = 600.0
    # ... for at most this long: a signal still away after it has really moved (or come back).
    max_spike_ms: float = 150.0
    # A gap in the signal up to this long keeps the counter's state; longer resets it.
    max_dropout_ms: float = 700.0
    # Weight of each new rep's extreme when adapting the work level to the person.
    adapt_rate: float = 0.5
    # Extra depth assumed beyond the observed extremes when adapting (keeps the threshold
    # reachable on a slightly shallower next rep).
    adapt_margin_progress: float = 0.15
    # A stream ending after a rep left the work position and came back at least this share of
    # the way (progress 1 -> 0) to the start counts that rep: the recording stopped, not the rep.
    end_return_progress: float = 0.5
    # A still level counts as a rest ("back at the start") only this far below the work
    # threshold (progress).
    rest_margin_progress: float = 0.15
    # A stream opening on the way down shows at least this many steps of it before the work
    # zone; fewer is a first frame read off (a person lying down, read half-way up, then still
    # at the top).
    opening_min_steps: int = 2

    @property
    def rest_learn_progress(self) -> float:
        """Progress up to which a frame at rest teaches rest levels.

        The counter's own, the pelvis baselines' and the single-leg lift's hips at rest. Half of
        ``return_progress``: the start of a descent is not rest.
        """
        return self.return_progress / 2


@dataclass(frozen=True)
class HoldConfig:
    """Hold timer at the working position."""

    # Signal range within this window below which the position is "stable".
    stable_window_ms: float = 500.0
    # Range of the signal (deg) allowed while stable; MediaPipe jitter is ~2-4 deg.
    stable_range_deg: float = 8.0
    # Shorter than this is a pause, not a hold.
    min_hold_ms: float = 2000.0
    # A hold carries on through a gap in the signal this long (the counter's max_dropout_ms).
    max_gap_ms: float = 700.0
    # Another working side seen for less than this is the side estimate flickering in a deep
    # split, not a switch of legs.
    side_switch_ms: float = 500.0
    # Still at the working position at least this long, the movement was a hold, not a rep with
    # a pause: a rep pauses a few seconds at most (a pause reads about 0.4 s longer), a crescent
    # lunge is held for 20-60 s. The way down into a hold and back up is then not a rep. A
    # routine's rep set counts every rep regardless.
    rep_max_hold_ms: float = 8000.0
    # In the counter's work zone at least this long, the way in and out included (up to ~1 s
    # each at a slow tempo), the movement was a hold even where the reading never kept still
    # long enough to time one (a rendered 10 s lunge hold read 67-131 deg at a true 90).
    rep_max_at_work_ms: float = 10000.0


@dataclass(frozen=True)
class RestLevelConfig:
    """A height the body rests at, learnt from the person (``engine/depth.py``, RestHeight)."""

    # The heights kept: this long up to the newest rest sample (while the body is away from
    # rest it keeps the seconds before it left, not the way away alone).
    window_ms: float = 4000.0
    # The rest level is this quantile of those heights.
    quantile: float = 0.9
    # A height more than this share below the level, in pixels *and* in the scale-free ratio,
    # is away from rest: not a sample of the level, or a lunge or bridge held longer than the
    # window would become "rest". The top of a split stance (at rendered front and oblique
    # split tops 0.02 median, 0.09-0.15 at the 95th percentile) stays a standing sample, the
    # start its reps come back to. Standing further from the camera lowers only the pixels, a
    # trunk leaning toward it raises only the trunk-length ratio.
    band_share: float = 0.15
    # Until the level rests on this many samples every sample counts (one glitch is not a level).
    min_samples: int = 15
    # With no rest sample for this long, the level is learnt again from scratch.
    stale_ms: float = 60000.0
    # The window keeps at least this many of the newest samples however old (0: the window
    # alone decides, and after a hold longer than it the level starts again from one sample).
    min_kept: int = 0


@dataclass(frozen=True)
class DepthConfig:
    """Lunge depth where the knee angle cannot be seen (``engine/depth.py``).

    The back knee's drop below the front one and the hips' drop below standing, mapped onto the
    knee-angle scale the lunge counter's levels use.
    """

    # Knee height difference (trunk lengths) of a lunge bottom with both knees at 90 deg.
    full_knee_drop_ratio: float = 0.8
    # Hip drop (share of the standing hip height, in the picture) at a lunge bottom with both
    # knees at 90 deg: over the frames with the true front knee under 100 deg of 45 rendered
    # front and oblique lunges it reads 0.29 (median; side views 0.37). It was 0.45, the drop in
    # the room: 7.7% of those bottom frames then read short of the counter's working threshold
    # (0.5% now), neither front stepping-back lunge of the 56-clip grid was counted, and 3 front
    # holds of 8 counted a rep.
    full_hip_drop_share: float = 0.30
    # The standing hip height (``engine/depth.py``, RestHeight).
    standing: RestLevelConfig = field(default_factory=RestLevelConfig)


@dataclass(frozen=True)
class LungeConfig:
    """Crescent / reverse lunge levels and limits."""

    # Standing knee angle assumed before the person's own baseline is known.
    knee_start_deg: float = 172.0
    # Bottom knee angle assumed before the first reps (a good lunge reaches ~90).
    knee_work_deg: float = 100.0
    # The same from the side, where the signal is the knee angle itself (median error ~5 deg):
    # 110 puts the work threshold (0.6 of the way down from 172) at 135, the side view's limit
    # of a lunge rep (rep_max_front_knee_deg), so a shallow first lunge (knee 118-126) counts,
    # with its depth fault. Other views keep 100: their depth estimate is noisier.
    side_knee_work_deg: float = 110.0
    # From the side the counter's knee may read at most this much straighter than the hips'
    # drop (``hip_drop_deg``, on the same knee scale; the shallower of the drops in pixels and
    # in trunk lengths) allows. MediaPipe read the front knee of rendered lunge holds at 100-160
    # deg for moments where it was 89-93 while the hips stayed down: each such moment was a
    # return to standing and a rep (4 on one 10 s hold). Over the 49,006 side-view frames whose
    # knee read within 10 deg of the truth (136 rendered clips: the 10 s holds of seeds 1-64,
    # every side lunge of seeds 1-8), the knee read at most 58.2 over the hips' depth (99.9%
    # under 51.2), and none of the 24,420 reading above 120 deg more than 50 over (at 40: 27).
    # Of the 621 frames read 30 or more too straight, 79% read under 140 with the cap (the
    # return to standing is at ~152-156).
    side_knee_over_hips_max_deg: float = 50.0
    # Safe bounds for the learned standing baseline.
    knee_start_bounds_deg: tuple[float, float] = (155.0, 185.0)
    # Safe bounds for the learned bottom: deeper than 80 is not needed, shallower than 125 is
    # not a lunge any more (but still counts with a depth fault up to the work threshold).
    knee_work_bounds_deg: tuple[float, float] = (80.0, 125.0)
    # A rep must bend the knee at least this much from the start.
    min_amplitude_deg: float = 30.0
    # "Still" at the bottom (the rep's bottom_pause_ms, and which frames are its bottom): the
    # signal moves less than this within 300 ms, as the bridge's hip angle at the top.
    pause_band_deg: float = 5.0
    # Front knee at the bottom above this is a shallow lunge ("go lower").
    shallow_knee_deg: float = 110.0
    # Side view: a dip whose front knee never bends below this is stepping into or out of the
    # split stance or shifting weight, not a lunge rep (10 deg past the shallowest learned bottom).
    rep_max_front_knee_deg: float = 135.0
    # Shin read this far ahead of vertical puts the knee past the toes. The knee is over the toe
    # tip at a true shin angle of ~30 deg (ankle to toe tip ~0.12 of body height, shin ~0.25),
    # but MediaPipe reads a shin far forward short: by 3.1 deg at a true 10-15, 7.0 at 36-39
    # and 6.7 at 39-45 (medians over 712 rep bottoms of rendered side-view lunges, seeds 1-40;
    # a line through all: read = 0.743 x true - 0.06), so the toe tip reads at ~22.5-24.4.
    # Judged on the median over each rep's bottom, that read 31.6 (10% of reps below 20.5) with
    # the shin at 36-42 and 4.5 (99% below 21.2) otherwise (the same seeds).
    knee_past_toes_shin_deg: float = 24.0
    # Trunk leaning forward beyond this at the bottom (a slight lean of ~10 deg is fine).
    trunk_forward_deg: float = 25.0
    # Trunk leaning back beyond this: the person pushes the chest back instead of the hips forward.
    trunk_back_deg: float = -10.0
    # Back thigh not behind the trunk line (extension below this): hips not pushed forward. A
    # crescent lunge extends the back hip ~10-20 deg, a lunge with the hips left behind reads
    # about -10 or less: the middle, 0, moved by the reading's bias at rendered lunge bottoms
    # (median -3.6 deg over the clips of seeds 1-8, ~10 deg of margin either side). Judged on
    # the median over each rep's bottom, that read -14.3 (highest -5.9) with the hips left
    # behind and 13.4 (10% of reps below 6.1) clean (rendered side-view lunges, seeds 1-32).
    hip_not_extended_deg: float = -3.0
    # True hip extension is ~10-20 deg; apparent extension beyond this is pelvic tilt / arch.
    hip_ext_anatomical_max_deg: float = 20.0
    # arch_proxy_deg above this fires arched_back.
    arch_proxy_max_deg: float = 8.0
    # Lumbar curve depth (over the trunk length) above the person's baseline by more than this.
    lumbar_curve_rise_max_ratio: float = 0.03
    # Knee caving inward beyond this (front view).
    knee_cave_deg: float = 10.0
    # Hip line tilted beyond this against the floor line (front view).
    pelvis_level_max_deg: float = 8.0
    # Feet closer laterally than this ratio of hip width: "tightrope" stance.
    narrow_stance_ratio: float = 0.5


@dataclass(frozen=True)
class BridgeConfig:
    """Glute bridge levels and limits."""

    # Hip angle lying with bent knees, before the person's own baseline is known.
    hip_start_deg: float = 135.0
    # Hip angle at the top assumed before the first reps (180 = straight line), from the feet
    # or at 3/4: at the low-bridge limit, where a full top read as low as 164 (from the feet
    # with the 3D angle; read from the picture, 160-199 on renders from 42-51 deg up).
    hip_work_deg: float = 165.0
    # The same from the side, where the hip angle is read best (median error ~4 deg): 160 puts
    # the work threshold (0.6 of the way up) at 150 from a rest at 135 and at 154 from a rest
    # read at 147, so a low bridge (~155-163, read up to 4 deg either way) counts, with its
    # fault. With 165 a low bridge read at 156.5 from a rest read at 144 stayed 0.1 deg short
    # of the threshold and was not counted.
    side_hip_work_deg: float = 160.0
    # Seen from the feet, the hips' offset below the shoulders in the picture shrinks by this
    # share of its value lying flat when the hips reach the shoulder-knee line
    # (``engine/feet_view.py``): on the 28 clean and hold bridges of seeds 1-14 rendered from
    # the feet (camera 42-51 deg above the floor) it shrank by 0.35 (median; 0.33-0.39 IQR).
    # The hip angle from the feet goes from feet_view_rest_deg at no shrinking to 180 there.
    feet_view_full_lift_share: float = 0.35
    # ... where that offset lying flat is at least this many shoulder widths: the camera looks
    # down on the body (on 93 of 99 bridges rendered from 42-51 deg up it is 0.7-1.3, median
    # 1.15; the other 6 read head at the feet, below 0). From near the floor the hips lie
    # almost in front of the shoulders in the picture, a share of that small offset is no
    # measure of the lift, and the hips show above the shoulders at the top; there, and seen
    # from the head, the 3D angle stands in.
    feet_view_min_rest_shoulder_widths: float = 0.5
    # The hip angle lying flat that share counts from (rendered rests 128-138).
    feet_view_rest_deg: float = 135.0
    # The offset's level lying flat (RestHeight), learnt from still frames only: lying back
    # onto the mat, the hips show far below the shoulders for a moment, and as the first
    # samples such a moment set the level so high that lying flat then read as a bridge (a
    # stick figure whose hips read 30 px lower for its first 0.4 s rested at 194 and counted 0
    # of 3). Still: the offset stays within feet_view_still_share of itself over
    # feet_view_still_ms (at rest on the clean and hold bridges of seeds 1-14 from the feet, the
    # raw offset moves 1% in that time, per-clip median; 5% on the 90th-percentile clip).
    feet_view_still_ms: float = 300.0
    feet_view_still_share: float = 0.10
    # Unlike the standing height: the median of the still samples (the 0.35 above is measured
    # from the rest's median), so a minority of misread frames among the first 15 does not set
    # it; the 15 newest kept through a hold of any length; learnt afresh only after 10 min
    # without a rest (a bridge held from the feet may last minutes); and away from rest
    # from 10% below it, as in shoulder widths a top shrinks it less than in pixels (the
    # shoulders read narrower as the hips rise): by 0.18 on a rendered hold whose top read
    # lowest, and with 15% that hold's top became the level lying flat after 7 s.
    feet_view_rest: RestLevelConfig = field(
        default_factory=lambda: RestLevelConfig(quantile=0.5, band_share=0.10, min_samples=15,
                                                stale_ms=600000.0, min_kept=15))
    # Whether the picture or the 3D angle reads the stream is decided once the level lying flat
    # is known, or after this long seen end-on (gaps not counted) with no still offset well
    # below the shoulders (seen from the head the hips never show below them); until then a
    # frame whose hips show well below the shoulders has no hip angle and any other the 3D
    # one, and once decided it holds until recalibration, so the two scales do not mix after
    # the first moments.
    feet_view_decide_ms: float = 2000.0
    # Safe bounds for the learned lying baseline.
    # (a single-leg bridge rests at ~150-158 with the other leg raised)
    hip_start_bounds_deg: tuple[float, float] = (100.0, 160.0)
    # The same from the side: feet far out, the hips rest at ~153 that reads up to 161, and
    # from the side only low bridges (~155-163) top out below ~170. From the feet or at 3/4 a
    # full top may read as low as 160-164, so there 165 would take a top for a rest.
    side_hip_start_bounds_deg: tuple[float, float] = (100.0, 165.0)
    # Safe bounds for the learned top.
    hip_work_bounds_deg: tuple[float, float] = (160.0, 195.0)
    # A rep must open the hip at least this much: a low bridge (top ~155-163 from a rest of
    # ~135-141, which MediaPipe reads up to ~6 deg high) still counts, with its fault. Jitter is
    # 2-4 deg, and a rep also needs a still rest first and the work threshold (0.6 of the way
    # from rest to 165 or the learned top) before it counts.
    min_amplitude_deg: float = 10.0
    # Top below this: hips not high enough.
    low_bridge_deg: float = 165.0
    # Top above this: hips pushed above the shoulder-knee line (over-extension).
    overextended_deg: float = 192.0
    # Top above this but not over-extended: the hip itself is near 0 deg extension at the top of
    # a bridge (its range is ~10-20), so hips 5+ deg above the line come from the lower back
    # arching and the pelvis tipping forward. Landmarks cannot split the two; the back contour
    # cannot either here (the top's contour curves anyway: see engine/pelvis.py).
    arch_hip_deg: float = 185.0
    # Knee at the top below this: feet too close to the buttocks.
    knee_min_deg: float = 70.0
    # Knee at the top above this: feet too far away (hamstrings take over).
    knee_max_deg: float = 110.0
    # Longest still time at the top below this: no pause (turning around at the top without
    # stopping stays within the band ~0.4 s; a deliberate pause is 1-2 s).
    min_pause_ms: float = 600.0
    # "Still" = the hip angle moves less than this within 300 ms; smoothed jitter is ~1-2 deg.
    pause_band_deg: float = 5.0
    # Hip line tilted beyond this (front view): one hip drops.
    hip_drop_deg: float = 8.0
    # Single-leg bridges: each lift of the free leg (leg_raise_deg, 0 both feet down, ~50-90
    # with one leg up) is a rep, with these levels; the floor leg's hip angle alone misses the
    # smaller lifts on the far leg of an oblique view.
    leg_raise_start_deg: float = 5.0
    leg_raise_work_deg: float = 45.0
    leg_raise_start_bounds_deg: tuple[float, float] = (0.0, 20.0)
    leg_raise_work_bounds_deg: tuple[float, float] = (30.0, 90.0)
    leg_raise_min_amplitude_deg: float = 25.0
    # ... and the hips must rise this much (bridge_hip_deg above its value when the leg went
    # up) during the lift: raising a leg while lying flat is not a bridge. Jitter is ~2-4 deg.
    single_leg_min_hip_rise_deg: float = 5.0
    # Knee distance / ankle distance below this: knees caving in (front view from the feet).
    knee_cave_ratio: float = 0.75
    # Above this: knees flaring out well beyond the feet.
    knee_flare_ratio: float = 1.5


@dataclass(frozen=True)
class CueConfig:
    """Cue hysteresis so corrections do not flicker."""

    # A fault must hold this long before its cue shows.
    on_ms: float = 250.0
    # And be gone this long before its cue clears.
    off_ms: float = 400.0
    # Degrees an angle's limit is relaxed once its fault is active (two-threshold hysteresis).
    hysteresis_deg: float = 3.0
    # The same for a ratio's limit (stance width, knee width, lumbar curve), as a share of the
    # limit, since a ratio's jitter scales with its size (3 deg is a tenth of the 25-30 deg
    # trunk-lean and shin limits).
    hysteresis_share: float = 0.1
    # Rep-level cues (depth, pause) stay on screen this long after the rep.
    rep_cue_ms: float = 2000.0
    # A rep's extreme (deepest knee, highest hips) is the one held at least this long: a pose
    # glitch of a frame or two (legs mixed up at a lunge's bottom) is not the rep's depth.
    rep_extreme_hold_ms: float = 200.0


@dataclass(frozen=True)
class EngineConfig:
    """The whole engine configuration; ``EngineConfig()`` is the tested default."""

    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    counter: CounterConfig = field(default_factory=CounterConfig)
    hold: HoldConfig = field(default_factory=HoldConfig)
    depth: DepthConfig = field(default_factory=DepthConfig)
    lunge: LungeConfig = field(default_factory=LungeConfig)
    bridge: BridgeConfig = field(default_factory=BridgeConfig)
    cues: CueConfig = field(default_factory=CueConfig)
