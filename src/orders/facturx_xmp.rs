//! The Factur-X declaration in a PDF's XMP metadata: the `fx:` properties (document file name
//! and type, version, conformance level) and their PDF/A extension schema description. krilla
//! writes PDF/A-3 XMP but has no way to add an extension schema, so the finished file's
//! metadata stream (uncompressed, as PDF/A requires) is rewritten here and the cross-reference
//! table moved by the difference.

use super::invoice::{DocumentKind, PdfError};

const FX: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

fn description(kind: DocumentKind) -> String {
    let doc_type = match kind {
        DocumentKind::Invoice => "INVOICE",
        // Factur-X names every document of the CrossIndustryInvoice family INVOICE; a credit
        // note says what it is by its type code (381) inside the XML.
        DocumentKind::CreditNote => "INVOICE",
    };
    let property = |name: &str, text: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{text}</pdfaProperty:description></rdf:li>"
        )
    };
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FX}\"><fx:DocumentType>{doc_type}</fx:DocumentType><fx:DocumentFileName>{}</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>\
         <rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>{FX}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>",
        super::invoice::FACTURX_XML,
        property("DocumentFileName", "name of the embedded XML invoice file"),
        property("DocumentType", "INVOICE"),
        property("Version", "The actual version of the Factur-X XML schema"),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded Factur-X data"
        ),
    )
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn bad(what: &str) -> PdfError {
    PdfError::Write(format!("Factur-X metadata: {what}"))
}

/// Adds the Factur-X declaration to the XMP of a finished PDF.
pub fn declare(pdf: Vec<u8>, kind: DocumentKind) -> Result<Vec<u8>, PdfError> {
    let end_tag = b"</rdf:RDF>";
    let at = find(&pdf, end_tag, 0).ok_or_else(|| bad("no XMP packet"))?;
    // The stream's dictionary is the last `<<` before the packet; its /Length changes.
    let dict_start = pdf[..at]
        .windows(2)
        .rposition(|w| w == b"<<")
        .ok_or_else(|| bad("no stream dictionary"))?;
    let length_key = find(&pdf, b"/Length ", dict_start).ok_or_else(|| bad("no /Length"))?;
    if length_key > at {
        return Err(bad("/Length after the packet"));
    }
    let digits_start = length_key + b"/Length ".len();
    let digits_end = pdf[digits_start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map(|p| p + digits_start)
        .ok_or_else(|| bad("no length value"))?;
    let old_len: usize = std::str::from_utf8(&pdf[digits_start..digits_end])
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| bad("length value"))?;
    let insert = description(kind).into_bytes();
    let new_len = (old_len + insert.len()).to_string().into_bytes();
    let mut out = Vec::with_capacity(pdf.len() + insert.len() + 8);
    out.extend_from_slice(&pdf[..digits_start]);
    out.extend_from_slice(&new_len);
    out.extend_from_slice(&pdf[digits_end..at]);
    out.extend_from_slice(&insert);
    out.extend_from_slice(&pdf[at..]);
    let shift = out.len() - pdf.len();
    // Every object that starts after the changed stream moves by `shift`.
    let moved_from = digits_start;
    let xref = find(&out, b"\nxref\n", at).ok_or_else(|| bad("no classic xref table"))? + 1;
    let mut pos = find(&out, b"\n", xref).ok_or_else(|| bad("xref"))? + 1;
    // Subsection header "0 N".
    let header_end = find(&out, b"\n", pos).ok_or_else(|| bad("xref header"))?;
    let count: usize = std::str::from_utf8(&out[pos..header_end])
        .ok()
        .and_then(|h| h.split(' ').nth(1))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("xref count"))?;
    pos = header_end + 1;
    for _ in 0..count {
        let entry = out.get(pos..pos + 20).ok_or_else(|| bad("xref entry"))?;
        if entry[17] == b'n' {
            let offset: usize = std::str::from_utf8(&entry[..10])
                .ok()
                .and_then(|o| o.parse().ok())
                .ok_or_else(|| bad("xref offset"))?;
            if offset > moved_from {
                let fixed = format!("{:010}", offset + shift);
                out[pos..pos + 10].copy_from_slice(fixed.as_bytes());
            }
        }
        pos += 20;
    }
    let start = find(&out, b"startxref\n", pos).ok_or_else(|| bad("no startxref"))? + 10;
    let end = find(&out, b"\n", start).ok_or_else(|| bad("startxref value"))?;
    let xref_at = xref.to_string();
    out.splice(start..end, xref_at.into_bytes());
    Ok(out)
}
