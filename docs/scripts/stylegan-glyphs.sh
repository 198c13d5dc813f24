#!/usr/bin/env bash
# Trains, measures and packages the StyleGAN2 glyph generator Atelier ships (models/stylegan-glyphs/), start to end:
#   docs/scripts/stylegan-glyphs.sh
# Resumable: run it again after a stop and it continues from the run's last checkpoint (WORK keeps the run).
# Data: the capitals A-Z of every font the Debian packages below install (`atelier data glyphs`, 32 px, one scale and
# baseline per font, with attribution); every tenth typeface family is held out with all its fonts. No flips: a
# mirrored R is no letter. Held-out figure: inversion PSNR in w and w+ of 32 held-out glyphs.
#   STEPS (training steps, 16000; a run already past them is packaged as it stands), THREADS (2),
#   WORK (/var/tmp/atelier-glyphs) override.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${WORK:-/var/tmp/atelier-glyphs}"
STEPS="${STEPS:-16000}"
THREADS="${THREADS:-2}"
out="models/stylegan-glyphs"
run="$WORK/glyphs.run"
mkdir -p "$WORK" "$out"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

# The fonts (Latin text faces of many kinds: book, sans, mono, script, display, handwriting), as installed for the
# shipped model on Debian 12.
FONTS="fonts-adf-accanthis fonts-adf-baskervald fonts-adf-berenis fonts-adf-gillius fonts-adf-ikarius fonts-adf-irianis
fonts-adf-libris fonts-adf-mekanus fonts-adf-oldania fonts-adf-romande fonts-adf-solothurn fonts-adf-switzera
fonts-adf-tribun fonts-adf-universalis fonts-adf-verana fonts-allerta fonts-anonymous-pro fonts-arapey fonts-averia-gwf
fonts-averia-sans-gwf fonts-averia-serif-gwf fonts-b612 fonts-bebas-neue fonts-beteckna fonts-blankenburg fonts-breip
fonts-cabin fonts-cabinsketch fonts-cantarell fonts-cardo fonts-century-catalogue fonts-cherrybomb fonts-clear-sans
fonts-cmu fonts-comfortaa fonts-comic-neue fonts-courier-prime fonts-creep2 fonts-crosextra-caladea
fonts-crosextra-carlito fonts-croscore fonts-dancingscript fonts-dkg-handwriting fonts-dosis fonts-dustin
fonts-ebgaramond fonts-ecolier-court fonts-engadget fonts-essays1743 fonts-eurofurence fonts-f500 fonts-fantasque-sans
fonts-fanwood fonts-femkeklaver fonts-freefont-ttf fonts-gnutypewriter fonts-go fonts-gotico-antiqua
fonts-goudybookletter fonts-hack fonts-humor-sans fonts-inconsolata fonts-inter fonts-isabella fonts-jetbrains-mono
fonts-junction fonts-junicode fonts-jura fonts-karla fonts-kaushanscript fonts-kristi fonts-le-murmure fonts-league-mono
fonts-league-spartan fonts-leckerli-one fonts-levien-museum fonts-levien-typoscript fonts-liberation2 fonts-lindenhill
fonts-linuxlibertine fonts-lobster fonts-lobstertwo fonts-manrope fonts-millimetre fonts-monofur fonts-mononoki
fonts-national-park fonts-ocr-a fonts-ocr-b fonts-oflb-euterpe fonts-okolaks fonts-oldstandard fonts-open-sans
fonts-opendin fonts-opendyslexic fonts-paratype fonts-play fonts-prociono fonts-quattrocento fonts-radisnoir
fonts-rampart fonts-reggae fonts-roadgeek fonts-roboto-unhinted fonts-roboto-slab fonts-rocknroll fonts-routed-gothic
fonts-rufscript fonts-sora fonts-staypuft fonts-summersby fonts-tiresias fonts-tomsontalks fonts-train
fonts-ubuntu-title fonts-urw-base35 fonts-vollkorn fonts-yanone-kaffeesatz fonts-texgyre fonts-lmodern fonts-oxygen
fonts-sjfonts fonts-cegui fonts-campania fonts-agave fonts-apropal fonts-bajaderka fonts-compagnon fonts-elstob
fonts-gamaliel fonts-georgewilliams fonts-havana fonts-joscelyn fonts-karmilla fonts-libfinal fonts-solide-mirage
fonts-stick fonts-uralic"
if [ ! -d "$WORK/glyphs/train" ]; then
  # shellcheck disable=SC2086
  dpkg -s $FONTS >/dev/null 2>&1 || apt-get install -y --no-install-recommends $FONTS
  atelier data glyphs -o "$WORK/glyphs" --size 32 --test-every 10
fi

step() { grep -o '"step": [0-9]*' "$run/run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
if [ "$(step)" -lt "$STEPS" ]; then
  if [ -f "$run/checkpoint.safetensors" ]; then
    atelier --seed 1 --threads "$THREADS" stylegan train --data "$WORK/glyphs/train" -o "$run" --steps "$STEPS" --resume \
      --sample-every 500 --checkpoint-every 500
  else
    atelier --seed 1 --threads "$THREADS" stylegan train --data "$WORK/glyphs/train" -o "$run" --steps "$STEPS" --size 32 \
      --channels 64 --latent 128 --n-mlp 4 --batch-size 16 --no-flip --ema-kimg 2 --sample-every 500 --checkpoint-every 500
  fi
fi

# The shipped files: g_ema in float16, the loss plot, samples, the held-out figures and grid.
atelier checkpoint convert "$run/checkpoint.safetensors" "$out/model.safetensors" --select g_ema --half
cp "$run/losses.png" "$out/loss.png"
atelier --seed 1 stylegan generate -m "$out/model.safetensors" --seeds 1-32 -o "$out/samples.png"
atelier --seed 1 --json stylegan evaluate -m "$out/model.safetensors" --images "$WORK/glyphs/test" --count 32 --steps 300 \
  --spaces w,w+ -o "$out/heldout.png" > "$out/heldout.json"
cp "$WORK/glyphs/ATTRIBUTION.tsv" "$out/ATTRIBUTION.tsv"
cp "$run/run.json" "$out/run.json"
echo "wrote $out: model.safetensors, loss.png, samples.png, heldout.png, heldout.json, run.json, ATTRIBUTION.tsv (card.md is written by hand from them)"
