using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

public class ContactSheetTests
{
    [Fact]
    public void LayoutHasTheExpectedSizeAndPlacesImages()
    {
        var cells = Enumerable.Range(0, 5).Select(i => (TestImages.Constant(20, 10, i / 5f, 0f, 0f), (string?)null)).ToList();
        var sheet = ContactSheet.Create(cells, columns: 3, padding: 2, background: (0f, 1f, 0f));
        // 3 columns x 2 rows of 20x10 cells, 2 px gaps, no caption band.
        Assert.Equal((3 * 20 + 4 * 2, 2 * 10 + 3 * 2, 3), (sheet.Width, sheet.Height, sheet.Channels));
        Assert.Equal(4 / 5f, sheet[0, 2 + 10 + 2 + 5, 2 + 20 + 2 + 10], 6); // cell 4 = row 1, column 1
        Assert.Equal(1f, sheet[1, 0, 0]);                                  // padding has the background
        Assert.Equal(1f, sheet[1, 2 + 10 + 2 + 5, 2 + 2 * 22 + 10]);       // the empty 6th cell too
    }

    [Fact]
    public void CaptionsPutInkInTheCaptionBandOnly()
    {
        var black = TestImages.Constant(32, 16, 0f, 0f, 0f);
        var withCaptions = ContactSheet.Create([(black, "step 100"), (black, null)], columns: 2, padding: 4);
        int band = withCaptions.Height - 2 * 4 - 16;
        Assert.True(band >= BitmapFont.GlyphHeight, $"caption band is {band} px");
        // Caption band under cell 0: some dark pixels; under cell 1 (no caption): pure background.
        int y0 = 4 + 16, y1 = withCaptions.Height - 4;
        Assert.True(CountDark(withCaptions, 4, 4 + 32, y0, y1) > 20);
        Assert.Equal(0, CountDark(withCaptions, 4 + 32 + 4, 4 + 64 + 4, y0, y1));
        // Without captions there is no band at all.
        Assert.Equal(16 + 8, ContactSheet.Create([(black, null)]).Height);
    }

    [Fact]
    public void MixedSizesAndChannelsAreFittedIntoCells()
    {
        var big = TestImages.Constant(64, 32, 0.5f, 0.5f, 0.5f);
        var gray = TestImages.Constant(8, 8, 0.2f);
        var rgba = TestImages.Constant(16, 16, 0f, 0f, 0f, 0f);
        var sheet = ContactSheet.Create([(big, "a"), (gray, "b"), (rgba, "c")], columns: 3, cellSize: (16, 16), padding: 0);
        Assert.Equal(48, sheet.Width);
        Assert.Equal(0.5f, sheet[0, 8, 8], 5);   // 64x32 shrunk to 16x8, centred vertically (rows 4..11)
        Assert.Equal(1f, sheet[0, 1, 8]);        // above it: background
        Assert.Equal(0.2f, sheet[0, 8, 24], 5);  // gray upscaled to fill its cell
        Assert.Equal(1f, sheet[0, 8, 40], 5);    // transparent RGBA composited over the white background
    }

    [Fact]
    public void SaveWritesAReadableFile()
    {
        using var dir = TestPaths.NewTempDir();
        ContactSheet.Save(dir.File("grid.png"), [(TestImages.Smooth(16, 16, 3), "x")], columns: 1);
        var back = ImageIO.Load(dir.File("grid.png"));
        Assert.Equal(ContactSheet.Create([(TestImages.Smooth(16, 16, 3), "x")], columns: 1).Width, back.Width);
    }

    internal static int CountDark(Image img, int x0, int x1, int y0, int y1)
    {
        int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (img[0, y, x] + img[1, y, x] + img[2, y, x] < 1.5f) n++;
        return n;
    }
}

public class BitmapFontTests
{
    [Fact]
    public void WrapsAtWordsAndCutsOverflow()
    {
        int w = 10 * BitmapFont.GlyphWidth; // 10 characters
        Assert.Equal(["step 1000", "seed=3"], BitmapFont.Wrap("step 1000 seed=3", w));
        Assert.Equal(["abcdefghij", "klm"], BitmapFont.Wrap("abcdefghijklm", w));
        Assert.Equal(["one", "two"], BitmapFont.Wrap("one\ntwo", w));
        Assert.Equal(["aaaa bbbb", "cccc ddd.."], BitmapFont.Wrap("aaaa bbbb cccc dddd eeee ffff", w, maxLines: 2));
        Assert.Equal("abcdefg..", BitmapFont.Fit("abcdefghijklmnop", 9 * BitmapFont.GlyphWidth));
    }

    [Fact]
    public void DrawsInkOnlyWhereTextIsAndClips()
    {
        var img = TestImages.Constant(40, 20, 1f, 1f, 1f);
        BitmapFont.Draw(img, "Hi", 2, 3, (0f, 0f, 0f));
        int inside = ContactSheetTests.CountDark(img, 2, 2 + 2 * BitmapFont.GlyphWidth, 3, 3 + BitmapFont.GlyphHeight);
        Assert.True(inside > 10, $"{inside} dark pixels");
        Assert.Equal(inside, ContactSheetTests.CountDark(img, 0, 40, 0, 20));
        // Partly outside the image: no exception, some ink.
        var gray = new Image(10, 10, 1);
        BitmapFont.Draw(gray, "WWWW", -3, 5, (1f, 1f, 1f), scale: 2);
        Assert.Contains(gray.Data, v => v > 0.5f);
        // Space draws nothing; non-ASCII draws '?'.
        var blank = TestImages.Constant(20, 20, 1f, 1f, 1f);
        BitmapFont.Draw(blank, "  ", 0, 0, (0f, 0f, 0f));
        Assert.Equal(0, ContactSheetTests.CountDark(blank, 0, 20, 0, 20));
        var q = TestImages.Constant(20, 20, 1f, 1f, 1f);
        var qm = TestImages.Constant(20, 20, 1f, 1f, 1f);
        BitmapFont.Draw(q, "é", 0, 0, (0f, 0f, 0f));
        BitmapFont.Draw(qm, "?", 0, 0, (0f, 0f, 0f));
        Assert.Equal(qm.Data, q.Data);
    }
}
