//! Product images. Uploads are decoded to prove they are images (PNG, JPEG, WebP, GIF), checked
//! against size and pixel limits, re-encoded (which drops metadata) and thumbnailed once, on a
//! blocking thread. Files are named by their content hash, so they can be cached forever.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

pub const LARGE_MAX: u32 = 1200;
pub const THUMB_MAX: u32 = 400;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("The image is larger than {0} MiB.")]
    TooLarge(usize),
    #[error("The image has more than {0} megapixels.")]
    TooManyPixels(u32),
    #[error("The file is not a PNG, JPEG, WebP or GIF image.")]
    NotAnImage,
    #[error("The image could not be read; it may be damaged.")]
    Damaged,
}

/// One encoded version of an image.
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
}

pub struct Processed {
    pub large: Encoded,
    pub thumb: Encoded,
}

/// Validates and re-encodes an upload. CPU-heavy: call from a blocking thread.
pub fn process_upload(
    data: &[u8],
    max_bytes: usize,
    max_megapixels: u32,
) -> Result<Processed, ImageError> {
    if data.len() > max_bytes {
        return Err(ImageError::TooLarge(max_bytes / (1024 * 1024)));
    }
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, ImageError> {
        let r = ImageReader::new(Cursor::new(data))
            .with_guessed_format()
            .map_err(|_| ImageError::NotAnImage)?;
        match r.format() {
            Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) => {
                Ok(r)
            }
            _ => Err(ImageError::NotAnImage),
        }
    };
    let format = reader()?.format();
    // Read the header first: a decompression bomb is refused before any pixel is decoded.
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|_| ImageError::Damaged)?;
    if u64::from(w) * u64::from(h) > u64::from(max_megapixels) * 1_000_000 {
        return Err(ImageError::TooManyPixels(max_megapixels));
    }
    let mut r = reader()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(u64::from(max_megapixels) * 1_000_000 * 8);
    r.limits(limits);
    let img = r.decode().map_err(|_| ImageError::Damaged)?;
    // Photos stay JPEG; everything else (with possible transparency) becomes PNG.
    let jpeg = format == Some(ImageFormat::Jpeg);
    let large = if img.width() > LARGE_MAX || img.height() > LARGE_MAX {
        img.thumbnail(LARGE_MAX, LARGE_MAX)
    } else {
        img
    };
    let thumb = large.thumbnail(THUMB_MAX, THUMB_MAX);
    Ok(Processed {
        large: encode(&large, jpeg)?,
        thumb: encode(&thumb, jpeg)?,
    })
}

fn encode(img: &DynamicImage, jpeg: bool) -> Result<Encoded, ImageError> {
    let mut bytes = Vec::new();
    if jpeg {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
        img.to_rgb8()
            .write_with_encoder(encoder)
            .map_err(|_| ImageError::Damaged)?;
    } else {
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(|_| ImageError::Damaged)?;
    }
    Ok(Encoded {
        bytes,
        ext: if jpeg { "jpg" } else { "png" },
        width: img.width(),
        height: img.height(),
    })
}

/// Writes bytes under their content hash (once) and returns the file name.
pub fn store(dir: &Path, bytes: &[u8], ext: &str) -> std::io::Result<String> {
    let name = format!("{}.{ext}", &hex::encode(Sha256::digest(bytes))[..24]);
    let path = dir.join(&name);
    if !path.exists() {
        std::fs::create_dir_all(dir)?;
        // Write then rename, so a reader never sees half a file.
        let tmp = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(name)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A product picture drawn by code for the demo catalogue: a tinted card with a simple motif,
/// the product's initials and its name.
pub fn demo_svg(name: &str, brand: &str, hue: u32, motif: u32) -> String {
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    let bg = format!("hsl({hue}, 55%, 88%)");
    let fg = format!("hsl({hue}, 45%, 32%)");
    let accent = format!("hsl({}, 60%, 62%)", (hue + 40) % 360);
    let shape = match motif % 4 {
        0 => format!(r#"<circle cx="300" cy="250" r="150" fill="{accent}" opacity="0.55"/>"#),
        1 => format!(
            r#"<rect x="160" y="110" width="280" height="280" rx="36" fill="{accent}" opacity="0.55"/>"#
        ),
        2 => {
            format!(r#"<polygon points="300,90 470,390 130,390" fill="{accent}" opacity="0.55"/>"#)
        }
        _ => format!(
            r#"<ellipse cx="300" cy="250" rx="190" ry="120" fill="{accent}" opacity="0.55"/>"#
        ),
    };
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600" role="img" aria-label="{label}">
<rect width="600" height="600" fill="{bg}"/>
{shape}
<text x="300" y="290" font-family="Helvetica, Arial, sans-serif" font-size="120" font-weight="700" fill="{fg}" text-anchor="middle">{initials}</text>
<text x="300" y="480" font-family="Helvetica, Arial, sans-serif" font-size="34" fill="{fg}" text-anchor="middle">{name}</text>
<text x="300" y="525" font-family="Helvetica, Arial, sans-serif" font-size="24" fill="{fg}" opacity="0.8" text-anchor="middle">{brand}</text>
</svg>
"#,
        label = xml_escape(name),
        initials = xml_escape(&initials),
        name = xml_escape(name),
        brand = xml_escape(brand),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn accepts_and_resizes_an_image() {
        let p = process_upload(&png(2400, 1200), 5 << 20, 40).unwrap();
        assert_eq!((p.large.width, p.large.height), (1200, 600));
        assert_eq!((p.thumb.width, p.thumb.height), (400, 200));
        assert_eq!(p.large.ext, "png");
    }

    #[test]
    fn refuses_what_is_not_an_image_or_too_big() {
        assert_eq!(
            process_upload(b"%PDF-1.4 hello", 5 << 20, 40).err(),
            Some(ImageError::NotAnImage)
        );
        assert_eq!(
            process_upload(&png(10, 10), 10, 40).err(),
            Some(ImageError::TooLarge(0))
        );
        assert_eq!(
            process_upload(&png(2000, 1000), 5 << 20, 1).err(),
            Some(ImageError::TooManyPixels(1))
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(process_upload(&truncated, 5 << 20, 40).is_err());
    }

    #[test]
    fn svg_escapes_text() {
        let svg = demo_svg("Tea & <Cakes>", "B\"rand", 10, 1);
        assert!(svg.contains("Tea &amp; &lt;Cakes&gt;") && !svg.contains("<Cakes>"));
    }
}
