#!/usr/bin/env python3
"""Does a WAV file hold a tone of a given frequency, well above the noise?

usage: tone_check.py FILE.wav FREQ_HZ [--min-seconds S] [--min-snr-db D] [--other HZ ...]

Splits the file into 50 ms frames and runs a Goertzel filter at FREQ on each. A frame
"holds the tone" when it is not silence (RMS above -50 dBFS) and the tone carries at least
half of the frame's energy. The check passes when at least --min-seconds of frames hold it
and the median tone-to-rest ratio over those frames is at least --min-snr-db. With
--other, each of those frequencies must be at least 20 dB below FREQ (e.g. the far end's
own tone, which must not come back as an echo). Prints one line of figures; exit 0/1.
"""
import argparse
import math
import statistics
import struct
import sys
import wave


def goertzel_power(samples, rate, freq):
    n = len(samples)
    k = round(n * freq / rate)
    w = 2.0 * math.pi * k / n
    coeff = 2.0 * math.cos(w)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    # |X(k)|^2 scaled so that a full-scale sine of frequency k gives about n^2/4
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("freq", type=float)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--min-snr-db", type=float, default=20.0)
    ap.add_argument("--other", type=float, nargs="*", default=[])
    a = ap.parse_args()

    with wave.open(a.file, "rb") as w:
        rate, ch, width, nframes = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
        raw = w.readframes(nframes)
    if width != 2:
        print(f"{a.file}: {width * 8}-bit samples, expected 16-bit")
        return 1
    vals = struct.unpack("<%dh" % (len(raw) // 2), raw)
    mono = [sum(vals[i:i + ch]) / ch / 32768.0 for i in range(0, len(vals) - ch + 1, ch)]
    frame = max(1, int(rate * 0.05))
    toned = 0
    ratios = []
    others = {f: [] for f in a.other}
    loud = 0
    for i in range(0, len(mono) - frame + 1, frame):
        f = mono[i:i + frame]
        energy = sum(x * x for x in f)
        rms = math.sqrt(energy / frame)
        if rms < 10 ** (-50 / 20):
            continue
        loud += 1
        p = goertzel_power(f, rate, a.freq) * 2.0 / frame  # ~ energy of the tone component
        share = p / energy if energy > 0 else 0.0
        if share >= 0.5:
            toned += 1
            rest = max(energy - p, 1e-12)
            ratios.append(10 * math.log10(max(p, 1e-12) / rest))
            for of in a.other:
                po = goertzel_power(f, rate, of) * 2.0 / frame
                others[of].append(10 * math.log10(max(p, 1e-12) / max(po, 1e-12)))
    seconds = toned * frame / rate
    snr = statistics.median(ratios) if ratios else float("-inf")
    ok = seconds >= a.min_seconds and snr >= a.min_snr_db
    msg = (f"{a.file}: {len(mono) / rate:.1f} s at {rate} Hz, {loud * frame / rate:.1f} s not silent, "
           f"{seconds:.1f} s hold {a.freq:g} Hz, median tone/rest {snr:.1f} dB")
    for of, r in others.items():
        m = statistics.median(r) if r else float("inf")
        msg += f", {a.freq:g} Hz over {of:g} Hz {m:.1f} dB"
        if r and m < 20:
            ok = False
    print(msg)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
