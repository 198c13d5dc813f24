/*
 * A command-line driver for Resynthesizer's engine (bootchk/resynthesizer, lib/, GPL-2.0-or-later), for Atelier's
 * side-by-side benchmark only; build.sh compiles it against a checkout the user points at (nothing is fetched).
 *
 *   resynth-driver IMAGE.ppm TARGET.pgm CORPUS.pgm OUT.ppm [--patch N] [--probes N] [--context T]
 *                  [--tile-x] [--tile-y]
 *
 * IMAGE is a binary RGB PPM (P6); TARGET and CORPUS are binary PGMs (P5) of the same size: non-zero marks the pixels
 * to synthesise and the pixels to copy from (imageSynth2, the API GIMP's heal-selection plug-in uses with a ring).
 * --patch is the engine's neighbour count (default 30), --probes its tries per pixel per pass (200), --context its
 * matchContextType (1: match the context, random order; 0: no context, for plain texture synthesis).
 * Prints the engine's own time in seconds ("engine_s=...") so the benchmark can report it beside the process time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imageSynth.h"

static unsigned char *readNetpbm(const char *path, const char *magic, int channels, unsigned *w, unsigned *h)
{
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "%s: cannot open\n", path); exit(2); }
  char m[3] = {0}; unsigned maxv;
  if (fscanf(f, "%2s %u %u %u", m, w, h, &maxv) != 4 || strcmp(m, magic) != 0 || maxv != 255)
  { fprintf(stderr, "%s: not a binary %s file with 8-bit samples\n", path, magic); exit(2); }
  fgetc(f); /* the single whitespace after the header */
  size_t n = (size_t)*w * *h * channels;
  unsigned char *data = malloc(n);
  if (fread(data, 1, n, f) != n) { fprintf(stderr, "%s: truncated\n", path); exit(2); }
  fclose(f);
  return data;
}

static void progress(int percent, void *context) { (void)percent; (void)context; }

int main(int argc, char **argv)
{
  if (argc < 5) { fprintf(stderr, "usage: resynth-driver IMAGE.ppm TARGET.pgm CORPUS.pgm OUT.ppm [--patch N] [--probes N] [--context T] [--tile-x] [--tile-y]\n"); return 2; }
  TImageSynthParameters p;
  setDefaultParams(&p);
  for (int i = 5; i < argc; i++)
  {
    if (!strcmp(argv[i], "--patch") && i + 1 < argc) p.patchSize = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--probes") && i + 1 < argc) p.maxProbeCount = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--context") && i + 1 < argc) p.matchContextType = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--tile-x")) p.isMakeSeamlesslyTileableHorizontally = 1;
    else if (!strcmp(argv[i], "--tile-y")) p.isMakeSeamlesslyTileableVertically = 1;
    else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
  }
  unsigned w, h, mw, mh, cw, ch;
  unsigned char *rgb = readNetpbm(argv[1], "P6", 3, &w, &h);
  unsigned char *target = readNetpbm(argv[2], "P5", 1, &mw, &mh);
  unsigned char *corpus = readNetpbm(argv[3], "P5", 1, &cw, &ch);
  if (mw != w || mh != h || cw != w || ch != h) { fprintf(stderr, "the masks must be the image's size\n"); return 2; }

  ImageBuffer image = { rgb, w, h, (size_t)w * 3 };
  ImageBuffer mask = { target, w, h, w };
  ImageBuffer mask2 = { corpus, w, h, w };
  int cancel = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int error = imageSynth2(&image, &mask, &mask2, T_RGB, &p, progress, NULL, &cancel);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (error) { fprintf(stderr, "the engine failed with error %d\n", error); return 1; }
  printf("engine_s=%.4f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);

  FILE *out = fopen(argv[4], "wb");
  if (!out) { fprintf(stderr, "%s: cannot write\n", argv[4]); return 2; }
  fprintf(out, "P6\n%u %u\n255\n", w, h);
  fwrite(rgb, 1, (size_t)w * h * 3, out);
  fclose(out);
  return 0;
}
