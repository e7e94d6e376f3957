/**
 * Where allowed connections go next when there is more than one place: the parents with their
 * health ({@link lnm.upstream.ParentSet}, checked in the background by
 * {@link lnm.upstream.ParentChecker}) and the addresses a fixed or direct destination resolves
 * to ({@link lnm.upstream.AddressHealth}).
 */
package lnm.upstream;
