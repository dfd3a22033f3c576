import { availabilityFromText, normaliseAvailability } from './availability';

describe('availability', () => {
  it.each([
    ['http://schema.org/InStock', 'InStock'],
    ['https://schema.org/OutOfStock', 'OutOfStock'],
    ['InStock', 'InStock'],
    ['schema:PreOrder', 'PreOrder'],
    ['out of stock', 'OutOfStock'],
    ['something else', null],
  ])('normalises %j to %j', (value, expected) => {
    expect(normaliseAvailability(value)).toBe(expected);
  });

  it('recognises out-of-stock wording in several languages', () => {
    for (const t of ['Currently unavailable.', 'Agotado', 'Ausverkauft', 'Épuisé', 'Esaurito']) {
      expect(availabilityFromText(t)).toBe('OutOfStock');
    }
  });

  it('says nothing about unrelated text', () => {
    expect(availabilityFromText('Free delivery on orders over 50')).toBeNull();
  });
});
