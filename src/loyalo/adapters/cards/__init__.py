"""Digital loyalty cards: the card number as a QR code, in SVG or PNG."""
