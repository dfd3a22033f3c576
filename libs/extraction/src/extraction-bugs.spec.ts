import { extractProduct } from './product-extractor';

const page = (head: string, body: string, lang = 'en'): string =>
  `<!doctype html><html lang="${lang}"><head>${head}</head><body>${body}</body></html>`;

/** PCComponentes' current markup: the decimals element sits inside the integer element. */
const PCC_NESTED = `<h1 id="pdp-title">Portátil Aurelia Book 15</h1>
  <div id="pdp-price-current-container" class="price-container">
    <span id="pdp-price-current-integer">1.299<span id="pdp-price-current-decimals">,99</span> €</span>
    <span class="pdp-price-original"><s>1.499,00 €</s></span>
  </div>`;

describe('split prices', () => {
  it('PCComponentes profile: decimals nested in the integer element', () => {
    const r = extractProduct(page('', PCC_NESTED, 'es'), {
      url: 'https://www.pccomponentes.com/x',
    });
    expect(r).toMatchObject({ price: '1299.99', currency: 'EUR' });
    expect(r.source.price).toBe('profile:pccomponentes');
  });

  it('PCComponentes profile: decimals beside the integer element', () => {
    const html = page(
      '',
      `<div id="pdp-price-current-container"><span id="pdp-price-current-integer">1.299</span><span id="pdp-price-current-decimals">,99</span><span> €</span></div>`,
      'es',
    );
    expect(extractProduct(html, { url: 'https://www.pccomponentes.com/x' })).toMatchObject({
      price: '1299.99',
      currency: 'EUR',
    });
  });

  it('heuristic: reads the whole split price, not the decimals fragment', () => {
    const r = extractProduct(page('', PCC_NESTED, 'es'), { url: 'http://127.0.0.1:8080/p/x' });
    expect(r).toMatchObject({ price: '1299.99', currency: 'EUR', source: { price: 'heuristic' } });
  });

  it('heuristic: never returns a fragment such as ",99"', () => {
    const html = page(
      '',
      '<h1>Thing</h1><div class="layout"><span id="price-current-decimals">,99</span></div>',
      'es',
    );
    expect(extractProduct(html).price).toBeNull();
  });
});

describe('heuristic buy box', () => {
  it('skips a price labelled "List Price:" and prices in recommendation sections', () => {
    const html = page(
      '',
      `<h1>Monitor</h1>
       <div class="buy"><span class="a-price"><span class="a-offscreen">$329.99</span>
         <span aria-hidden="true"><span class="a-price-symbol">$</span><span class="a-price-whole">329<span>.</span></span><span class="a-price-fraction">99</span></span></span>
       <span>List Price: <span class="a-price a-text-price"><span class="a-offscreen">$499.99</span></span></span></div>
       <div id="similarities_feature_div"><span class="a-price"><span class="a-offscreen">$219.00</span></span></div>`,
    );
    expect(extractProduct(html)).toMatchObject({ price: '329.99', currency: 'USD' });
  });

  it('prefers the price written as "Now" over an unmarked earlier one', () => {
    const html = page(
      '',
      `<h1>Leggings</h1><h5 class="product-price--markdown">$64.95</h5>
       <h5 class="product-price product-price--highlight">Now $52.00</h5>`,
    );
    expect(extractProduct(html).price).toBe('52.00');
  });

  it('ignores a recommendation carousel before the product price', () => {
    const html = page(
      '',
      `<h1>Lamp</h1><div class="recommendations-carousel"><span class="price">$12.00</span><span class="price">$15.00</span></div>
       <div class="buybox"><span class="price">$89.50</span></div>`,
    );
    expect(extractProduct(html).price).toBe('89.50');
  });
});

describe('JSON-LD offers that disagree', () => {
  const ld = (offers: unknown[]): string =>
    `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: 'Spray', offers })}</script>`;

  it('takes the offer of the variant the page shows (og:image)', () => {
    const html = page(
      ld([
        {
          '@type': 'Offer',
          price: '15.0',
          priceCurrency: 'USD',
          sku: '1899954',
          image: 'http://x.test/sku/s1899954-main.jpg',
        },
        {
          '@type': 'Offer',
          price: '32.0',
          priceCurrency: 'USD',
          sku: '1900000',
          image: 'http://x.test/sku/s1900000-main.jpg',
        },
      ]) + '<meta property="og:image" content="http://x.test/images/sku/s1900000-main-hero.jpg">',
      '<h1>Spray</h1>',
    );
    expect(extractProduct(html).price).toBe('32.0');
  });

  it('takes the offer whose price the buy box shows', () => {
    const html = page(
      ld([
        { '@type': 'Offer', price: '15.00', priceCurrency: 'USD' },
        { '@type': 'Offer', price: '32.00', priceCurrency: 'USD' },
      ]),
      '<h1>Spray</h1><div class="product-price">$32.00</div>',
    );
    expect(extractProduct(html).price).toBe('32.00');
  });

  it('keeps the first offer when nothing on the page tells them apart', () => {
    const html = page(
      ld([
        { '@type': 'Offer', price: '15.00', priceCurrency: 'USD' },
        { '@type': 'Offer', price: '32.00', priceCurrency: 'USD' },
      ]),
      '<h1>Spray</h1>',
    );
    expect(extractProduct(html).price).toBe('15.00');
  });
});

describe('regular and sale prices', () => {
  it('takes the meta sale price when JSON-LD carries the declared regular price', () => {
    const ld = {
      '@type': 'Product',
      name: 'Sconce',
      offers: { '@type': 'Offer', price: '150.00', priceCurrency: 'USD' },
    };
    const html = page(
      `<meta property="og:price:standard_amount" content="150.00">
       <meta property="product:price:amount" content="120.00">
       <meta property="product:price:currency" content="USD">
       <script type="application/ld+json">${JSON.stringify(ld)}</script>`,
      '<h1>Sconce</h1>',
    );
    expect(extractProduct(html)).toMatchObject({
      price: '120.00',
      currency: 'USD',
      source: { price: 'meta' },
    });
  });
});
