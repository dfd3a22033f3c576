import { extractProduct } from './product-extractor';

const page = (head: string, body: string, lang = 'en'): string =>
  `<!doctype html><html lang="${lang}"><head>${head}</head><body>${body}</body></html>`;

describe('extractProduct', () => {
  it('reads Amazon buy-box prices on any Amazon domain', () => {
    const html = page(
      '<title>Amazon.de: Kaffeemaschine</title>',
      `<span id="productTitle"> Kaffeemaschine X </span>
       <div id="corePrice_feature_div"><span class="a-price"><span class="a-offscreen">1.299,99 €</span></span></div>
       <div id="availability"><span>Derzeit nicht verfügbar.</span></div>`,
      'de-de',
    );
    const r = extractProduct(html, { url: 'https://www.amazon.de/dp/B000000' });
    expect(r).toMatchObject({
      price: '1299.99',
      currency: 'EUR',
      title: 'Kaffeemaschine X',
      availability: 'OutOfStock',
    });
    expect(r.source.price).toBe('profile:amazon');
  });

  it('reads the legacy Amazon priceblock and takes the currency from the domain', () => {
    const html = page('', '<span id="priceblock_ourprice">¥1,980</span>', 'ja-jp');
    expect(extractProduct(html, { url: 'https://www.amazon.co.jp/dp/X' })).toMatchObject({
      price: '1980',
      currency: 'JPY',
    });
  });

  it('joins PCComponentes split integer and cents', () => {
    const html = page(
      '',
      `<h1 id="pdp-title">Portátil Gaming</h1>
       <div id="precio-main" class="precioMain h1"><span class="baseprice">1.299</span><span class="cents">,99</span><span class="moneda">€</span></div>`,
      'es',
    );
    const r = extractProduct(html, { url: 'https://www.pccomponentes.com/portatil-gaming' });
    expect(r).toMatchObject({ price: '1299.99', currency: 'EUR', title: 'Portátil Gaming' });
    expect(r.source.price).toBe('profile:pccomponentes');
  });

  it('prefers the PCComponentes machine price attribute', () => {
    const html = page(
      '',
      '<div id="precio-main" data-price="849.5"><span class="baseprice">849</span><span class="cents">,50</span></div>',
    );
    expect(extractProduct(html, { url: 'https://www.pccomponentes.pt/x' }).price).toBe('849.5');
  });

  it('reads JSON-LD ProductGroup variants in an @graph with offers arrays', () => {
    const ld = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebPage', name: 'Shop' },
        {
          '@type': ['ProductGroup'],
          name: 'T-shirt',
          hasVariant: [
            {
              '@type': 'Product',
              offers: [
                {
                  '@type': 'Offer',
                  price: 19.9,
                  priceCurrency: 'EUR',
                  availability: 'http://schema.org/InStock',
                },
              ],
            },
          ],
        },
      ],
    };
    const html = page(
      `<script type="application/ld+json">${JSON.stringify(ld)}</script>`,
      '<h1>T-shirt</h1>',
    );
    expect(extractProduct(html)).toMatchObject({
      price: '19.9',
      currency: 'EUR',
      availability: 'InStock',
      title: 'T-shirt',
    });
  });

  it('keeps JSON-LD numbers exact (no float rounding)', () => {
    const html = page(
      '<script type="application/ld+json">{"@type":"Product","offers":{"@type":"Offer","price":1299.90,"priceCurrency":"USD"}}</script>',
      '',
    );
    expect(extractProduct(html).price).toBe('1299.90');
  });

  it('reads AggregateOffer lowPrice and UnitPriceSpecification', () => {
    const agg =
      '{"@type":"Product","offers":{"@type":"AggregateOffer","lowPrice":"10.00","highPrice":"20.00","priceCurrency":"GBP"}}';
    expect(
      extractProduct(page(`<script type="application/ld+json">${agg}</script>`, '')).price,
    ).toBe('10.00');
    const spec =
      '{"@type":"Product","offers":{"@type":"Offer","priceSpecification":[{"@type":"UnitPriceSpecification","priceType":"https://schema.org/ListPrice","price":"30.00"},{"@type":"UnitPriceSpecification","price":"25.00","priceCurrency":"EUR"}]}}';
    expect(
      extractProduct(page(`<script type="application/ld+json">${spec}</script>`, '')),
    ).toMatchObject({ price: '25.00', currency: 'EUR' });
  });

  it('survives broken JSON-LD and falls back to microdata', () => {
    const html = page(
      '<script type="application/ld+json">{"@type": "Product", broken</script>',
      '<div itemscope itemtype="http://schema.org/Offer"><span itemprop="price" content="49.90">49,90 €</span><meta itemprop="priceCurrency" content="EUR"></div>',
    );
    expect(extractProduct(html)).toMatchObject({
      price: '49.90',
      currency: 'EUR',
      source: { price: 'microdata' },
    });
  });

  it('reads OpenGraph product meta tags', () => {
    const html = page(
      '<meta property="product:price:amount" content="12.50"><meta property="product:price:currency" content="CAD"><meta property="og:title" content="Mug | Shop">',
      '',
    );
    expect(extractProduct(html)).toMatchObject({
      price: '12.50',
      currency: 'CAD',
      title: 'Mug',
      source: { price: 'meta' },
    });
  });

  it('uses the user selector and reports an invalid one without failing', () => {
    const html = page(
      '<meta property="product:price:amount" content="12.50">',
      '<b class="my-price">€ 9,99</b>',
    );
    expect(extractProduct(html, { selector: 'b.my-price' })).toMatchObject({
      price: '9.99',
      currency: 'EUR',
      source: { price: 'selector' },
    });
    const r = extractProduct(html, { selector: 'b[[[' });
    expect(r.source.selector).toBe('selector:invalid');
    expect(r.price).toBe('12.50');
  });

  it('finds an unmarked price near the title but ignores old prices', () => {
    const html = page(
      '',
      '<h1>Lamp</h1><div class="price-box"><span class="old-price">$49.95</span><span class="price">$39.95</span></div>',
    );
    expect(extractProduct(html)).toMatchObject({
      price: '39.95',
      currency: 'USD',
      source: { price: 'heuristic' },
    });
  });

  it('returns no price for a listing of unrelated prices', () => {
    const items = ['$10.00', '$22.50', '$31.00', '$45.99']
      .map((p) => `<li><span class="price">${p}</span></li>`)
      .join('');
    expect(extractProduct(page('', `<h1>Lamps</h1><ul>${items}</ul>`)).price).toBeNull();
  });

  it('flags captcha pages as blocked and JavaScript shells as needing a browser', () => {
    expect(
      extractProduct(
        page('<title>Robot Check</title>', '<form action="/errors/validateCaptcha"></form>'),
      ).blocked,
    ).toBe(true);
    const shell = page(
      '<script src="/app.js"></script>',
      '<div id="root"></div><noscript>Please enable JavaScript</noscript>',
    );
    expect(extractProduct(shell)).toMatchObject({
      needsJavaScript: true,
      blocked: false,
      price: null,
    });
  });

  it('cleans shop suffixes from the page title', () => {
    expect(extractProduct(page('<title>Blue Kettle 1.7L | Some Shop</title>', '')).title).toBe(
      'Blue Kettle 1.7L',
    );
  });

  it('reports the page language', () => {
    expect(extractProduct(page('', '', 'es-ES')).lang).toBe('es-ES');
  });
});
